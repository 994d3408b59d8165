package org.aloe4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.aloe4j.Fixtures;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Peak RSS of {@code aloe generate} in its own JVM, started with the launcher's flags, stays within the model
 * file's size + its KV cache + 300 MB (the weights are mapped, never copied onto the heap).
 */
class GenerateMemoryTest {
    /** The launcher's JVM flags (./aloe); keep in step with it. */
    private static final List<String> LAUNCHER_FLAGS = List.of("--add-modules", "jdk.incubator.vector",
            "--enable-native-access=ALL-UNNAMED", "-XX:+UseParallelGC", "-Xmn64m");

    @ParameterizedTest
    @CsvSource({"models/tiny-qwen2-realvocab.Q8_0.gguf, 2, 128, 32768", "models/tiny-llama.F32.gguf, 2, 128, 256"})
    void peakRssWithinFileKvCacheAnd300MB(String model, int layers, int kvDim, int modelContext) throws Exception {
        Path file = Fixtures.file(model);
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(LAUNCHER_FLAGS);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "generate", "--model",
                file.toString(), "--prompt", "What are the symptoms of asthma?", "--max-tokens", "48", "--seed", "7"));
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes());
        assertEquals(0, p.waitFor(), err);
        Matcher m = Pattern.compile("peak RSS (\\d+) MB").matcher(err);
        assertTrue(m.find(), err);
        long peakMb = Long.parseLong(m.group(1));
        int ctx = Math.min(modelContext, 4096); // generate's default context
        long kvBytes = 2L * layers * ctx * kvDim * Float.BYTES;
        long budgetMb = (Files.size(file) + kvBytes) / (1 << 20) + 300;
        System.out.printf("%s: peak RSS %d MB, budget %d MB (file %d MB + KV %d MB + 300 MB)%n", model, peakMb, budgetMb,
                Files.size(file) >> 20, kvBytes >> 20);
        assertTrue(peakMb <= budgetMb, model + ": peak RSS " + peakMb + " MB > " + budgetMb + " MB");
    }
}
