package org.aloe4j.formats;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;
import org.aloe4j.Fixtures;
import org.aloe4j.formats.gguf.GGUFFile;
import org.aloe4j.formats.gguf.GGUFTensorInfo;
import org.aloe4j.formats.safetensors.SafeTensor;
import org.aloe4j.formats.safetensors.SafeTensorsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded random truncations and byte flips of real files: every open must either succeed (and then every value and
 * every tensor's first and last byte must be readable) or fail with a {@link ModelFormatException} whose message
 * names the file. Any other exception, an Error, or a hang fails. Mutations favour the header, where they matter.
 */
class CorruptionSweepTest {
    private static final int CASES_PER_FILE = 300;

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"models/stories260K.gguf", "models/tiny-llama3rope.Q4_0.gguf",
        "models/tiny-qwen2.Q4_K_M.gguf", "models/tiny-llama3rope.BF16.gguf"})
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void gguf(String fixture) throws IOException {
        Path source = Fixtures.file(fixture);
        long headerEnd;
        try (GGUFFile g = GGUFFile.open(source)) {
            headerEnd = g.dataOffset();
        }
        sweep(source, headerEnd, fixture.hashCode(), p -> {
            try (GGUFFile g = GGUFFile.open(p)) {
                for (Object v : g.metadata().values()) {
                    touch(v);
                }
                for (GGUFTensorInfo t : g.tensors()) {
                    touch(g.tensorData(t));
                }
            }
        });
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void safetensors() throws IOException {
        Path source = Fixtures.file("hf/tiny-llama/model.safetensors");
        long headerEnd;
        try (SafeTensorsFile f = SafeTensorsFile.open(source)) {
            headerEnd = f.dataStart();
        }
        sweep(source, headerEnd, 42, p -> {
            try (SafeTensorsFile f = SafeTensorsFile.open(p)) {
                f.metadata().forEach((k, v) -> touch(k + v));
                for (SafeTensor t : f.tensors()) {
                    touch(t.data());
                }
            }
        });
    }

    private void sweep(Path source, long headerEnd, long seed, Consumer<Path> openAndRead) throws IOException {
        byte[] original = Files.readAllBytes(source);
        Path target = tmp.resolve("mutant-" + source.getFileName());
        Random random = new Random(seed);
        int opened = 0;
        TreeMap<String, Integer> problems = new TreeMap<>();
        long start = System.nanoTime();
        for (int c = 0; c < CASES_PER_FILE; c++) {
            String mutation;
            byte[] mutant;
            ToLongFunction<Long> inHeaderOrAnywhere = bound -> random.nextInt(10) < 7
                    ? random.nextLong(Math.min(bound, headerEnd + 64))
                    : random.nextLong(bound);
            if (c % 3 == 0) {
                int length = (int) inHeaderOrAnywhere.applyAsLong((long) original.length);
                mutant = Arrays.copyOf(original, length);
                mutation = "truncated to " + length;
            } else {
                mutant = original.clone();
                StringBuilder sb = new StringBuilder("flipped");
                int flips = 1 + random.nextInt(4);
                for (int f = 0; f < flips; f++) {
                    int pos = (int) inHeaderOrAnywhere.applyAsLong((long) original.length);
                    mutant[pos] ^= (byte) (1 + random.nextInt(255));
                    sb.append(' ').append(pos);
                }
                mutation = sb.toString();
            }
            Files.write(target, mutant);
            try {
                openAndRead.accept(target);
                opened++;
            } catch (ModelFormatException e) {
                String m = e.getMessage();
                if (!m.startsWith(target + ": ") || m.contains("\n")) {
                    fail("case " + c + " (" + mutation + "): message does not name the file on one line: " + m);
                }
                problems.merge(m.substring(target.toString().length() + 2).replaceAll("[0-9'(\\[].*", "").trim(),
                        1, Integer::sum);
            } catch (Throwable t) {
                throw new AssertionError("case " + c + " (" + mutation + ") of " + source.getFileName() + ": "
                        + t, t);
            }
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("%s: %d cases in %d ms, %d opened, %d rejected: %s%n", source.getFileName(),
                CASES_PER_FILE, ms, opened, CASES_PER_FILE - opened, problems);
        // The sweep is not vacuous: both outcomes occur, and several different problems are detected.
        assertTrue(opened > 0 && opened < CASES_PER_FILE, "opened " + opened);
        assertTrue(problems.size() >= 3, "problems " + problems);
    }

    private static void touch(Object v) {
        switch (v) {
            case Object[] a -> {
                for (Object o : a) {
                    touch(o);
                }
            }
            default -> v.hashCode();
        }
    }

    private static void touch(MemorySegment data) {
        if (data.byteSize() > 0) {
            data.get(ValueLayout.JAVA_BYTE, 0);
            data.get(ValueLayout.JAVA_BYTE, data.byteSize() - 1);
        }
    }
}
