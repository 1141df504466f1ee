package io.carbonstream;

/** Test access to the package-private parts of {@link Launcher}. */
public final class LauncherAccess {
    private LauncherAccess() {}

    public static void main(String... args) throws Exception {
        Launcher.main(args);
    }
}
