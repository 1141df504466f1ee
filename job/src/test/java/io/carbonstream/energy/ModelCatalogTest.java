package io.carbonstream.energy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCatalogTest {

    @Test
    void builtInCatalogCoversTheSeedModelsWithProvenance() {
        ModelCatalog c = ModelCatalog.builtIn();
        assertThat(c.models())
                .containsKeys(
                        "llama-3.1-8b",
                        "llama-3.1-70b",
                        "llama-3.1-405b",
                        "qwen3-8b",
                        "gpt-oss-20b",
                        "sd3-medium",
                        "sd3.5-large",
                        "flux.1-dev",
                        "cogvideox-2b",
                        "cogvideox1.5-5b",
                        "hunyuanvideo");
        c.models().values().forEach(e -> assertThat(e.source()).isNotBlank());
        for (Modality m : Modality.values()) assertThat(c.modalityDefault(m).source()).isNotBlank();
        assertThat(c.version()).isNotBlank();
    }

    @Test
    void userFileAddsModelsAndExtendsTheVersion(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("mine.json");
        Files.writeString(
                f,
                """
                {"version": "acme-3",
                 "models": {"acme-chat": {"modality": "TEXT", "j_per_output_token": 0.5, "source": "our DCGM measurements, 2026-10"},
                            "llama-3.1-8b": {"modality": "TEXT", "j_per_output_token": 0.07, "source": "our max-batch serving"}}}
                """);
        ModelCatalog c = ModelCatalog.withOverrides(f);
        assertThat(c.version()).isEqualTo(ModelCatalog.builtIn().version() + "+acme-3");
        assertThat(c.model("acme-chat").jPerOutputToken()).isEqualTo(0.5);
        assertThat(c.model("llama-3.1-8b").jPerOutputToken()).isEqualTo(0.07);
        assertThat(c.model("flux.1-dev")).isNotNull();
    }

    @Test
    void aFigureWithoutSourceIsRefused(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.json");
        Files.writeString(
                f,
                "{\"version\":\"x\",\"models\":{\"m\":{\"modality\":\"TEXT\",\"j_per_output_token\":1}}}");
        assertThatThrownBy(() -> ModelCatalog.withOverrides(f))
                .hasMessageContaining("m has no source");
    }

    @Test
    void aMalformedFileSaysWhereTheFormatIsDocumented(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.json");
        Files.writeString(f, "{\"version\":\"x\",\"modelz\":{}}");
        assertThatThrownBy(() -> ModelCatalog.withOverrides(f))
                .hasMessageContaining("cannot be read as a carbonstream catalog");
    }
}
