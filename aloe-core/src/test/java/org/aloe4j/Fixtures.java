package org.aloe4j;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the shared third-party fixtures are ({@code ../shared/fixtures}, see its README). Tests that need them call
 * {@link #dir()} and are reported as skipped when the folder is absent; CI always has it.
 */
public final class Fixtures {
    private Fixtures() {}

    public static Path root() {
        String prop = System.getProperty("aloe.fixtures");
        Path p = prop != null ? Path.of(prop) : Path.of("../shared/fixtures");
        if (!Files.isDirectory(p)) {
            p = Path.of("../../shared/fixtures");
        }
        return p.toAbsolutePath().normalize();
    }

    /** The fixture folder; skips the calling test when it is not there. */
    public static Path dir() {
        Path p = root();
        assumeTrue(Files.isDirectory(p), "shared fixtures not found at " + p + " (skipped)");
        return p;
    }

    /** A file under the fixture folder; skips the calling test when it is not there. */
    public static Path file(String relative) {
        Path p = dir().resolve(relative);
        assumeTrue(Files.exists(p), "fixture missing: " + p);
        return p;
    }
}
