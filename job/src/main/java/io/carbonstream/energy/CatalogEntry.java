package io.carbonstream.energy;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.Serializable;

/**
 * Energy figures of one model (or of a modality default), GPU only, per output unit. Absent figures
 * are null. {@code source} says where the numbers come from; it is required.
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record CatalogEntry(
        @JsonProperty("modality") Modality modality,
        @JsonProperty("j_per_output_token") Double jPerOutputToken,
        @JsonProperty("j_per_input_token") Double jPerInputToken,
        @JsonProperty("j_per_image") Double jPerImage,
        @JsonProperty("reference_steps") Integer referenceSteps,
        @JsonProperty("j_per_media_second") Double jPerMediaSecond,
        @JsonProperty("batch") Integer batch,
        @JsonProperty("gpus") Integer gpus,
        @JsonProperty("active_params_b") Double activeParamsB,
        @JsonProperty("source") String source)
        implements Serializable {

    /** Whether this entry has a measured figure for requests of the given modality. */
    boolean covers(Modality m) {
        return switch (m) {
            case TEXT, EMBEDDING -> jPerOutputToken != null || jPerInputToken != null;
            case IMAGE -> jPerImage != null;
            case VIDEO, AUDIO -> jPerMediaSecond != null;
        };
    }
}
