package org.aloe4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.aloe4j.formats.TensorSource;
import org.aloe4j.formats.safetensors.SafeTensorsDType;
import org.aloe4j.formats.safetensors.SafeTensorsModel;
import org.aloe4j.formats.safetensors.SafeTensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MergeCommandTest {
    @TempDir
    Path tmp;

    /** A one-tensor model whose F32 values are all {@code value}. */
    Path model(String name, float value) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        byte[] bytes = new byte[16];
        java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
                .put(new float[] {value, value, value, value});
        new SafeTensorsWriter().add("model.norm.weight", SafeTensorsDType.F32, new long[] {4}, TensorSource.of(bytes))
                .write(dir.resolve("model.safetensors"));
        Files.writeString(dir.resolve("config.json"), "{\"num_hidden_layers\": 1}");
        Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": {\"vocab\": {}}}");
        Files.writeString(dir.resolve("tokenizer_config.json"), "{}");
        return dir;
    }

    private record Run(int exit, String err) {}

    private static Run run(String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            return new Run(Main.run(args), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(old);
        }
    }

    @Test
    void mergesAsTheYamlSays() throws IOException {
        model("a", 1f);
        model("b", 3f);
        // relative model paths are found next to the YAML file
        Path yaml = Files.writeString(tmp.resolve("merge.yml"), """
                merge_method: linear
                models:
                  - model: a
                    parameters: {weight: 1.0}
                  - model: b
                    parameters: {weight: 3.0}
                """);
        Path out = tmp.resolve("out");
        Run r = run("merge", yaml.toString(), out.toString(), "--no-progress", "--threads", "1", "--seed", "5");
        assertEquals(0, r.exit(), r.err());
        try (SafeTensorsModel m = SafeTensorsModel.open(out)) {
            // (1*1 + 3*3) / (1 + 3) = 2.5
            java.nio.FloatBuffer v = m.tensor("model.norm.weight").data().asByteBuffer()
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            for (int i = 0; i < 4; i++) {
                assertEquals(2.5f, v.get(i));
            }
        }
        assertTrue(Files.readString(out.resolve("README.md")).contains("Seed: 5"));
    }

    @Test
    void badInputIsOneLineAndExitCodeOne() throws IOException {
        Path yaml = Files.writeString(tmp.resolve("merge.yml"), "merge_method: slerp\nmodels: [{model: a}]\n");
        Run r = run("merge", yaml.toString(), tmp.resolve("out").toString(), "--no-progress");
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("aloe merge: "), r.err());
        assertTrue(r.err().contains("unknown merge_method 'slerp'"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertFalse(Files.exists(tmp.resolve("out")));
    }

    @Test
    void readsShardSizes() {
        assertEquals(5_000_000_000L, MergeCommand.parseSize("5GB"));
        assertEquals(2L << 30, MergeCommand.parseSize("2GiB"));
        assertEquals(500_000_000L, MergeCommand.parseSize("500MB"));
        assertEquals(1234L, MergeCommand.parseSize("1234"));
    }
}
