package org.aloe4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Starts a class of the test class path in its own JVM with the launcher's flags, as {@code ./aloe} would. */
final class ChildJvm {
    /** The launcher's JVM flags (./aloe); keep in step with it. */
    static final List<String> LAUNCHER_FLAGS = List.of("--add-modules", "jdk.incubator.vector",
            "--enable-native-access=ALL-UNNAMED", "-XX:+UseParallelGC", "-Xmn64m");

    private ChildJvm() {}

    static List<String> command(Class<?> main, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(LAUNCHER_FLAGS);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(args);
        return cmd;
    }

    /** Starts {@code main} with {@code args}; stdout is discarded, stderr goes to {@code stderrFile}. */
    static Process start(Class<?> main, List<String> args, Path stderrFile) throws IOException {
        return new ProcessBuilder(command(main, args)).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(stderrFile.toFile()).start();
    }
}
