package org.aloe4j.tokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.aloe4j.Fixtures;

/** The fixture tokenizers, loaded once per test JVM (the big vocabularies take a moment), and the test vectors. */
final class TokenizerFixtures {
    private TokenizerFixtures() {}

    private static final Map<String, Tokenizer> LOADED = new ConcurrentHashMap<>();

    /** A llama.cpp tokenizer test case: input text and the ids Hugging Face produced. */
    record Vector(int index, String text, int[] ids) {}

    static Tokenizer qwenJson() {
        Path dir = Fixtures.file("tokenizers/qwen2.5");
        return LOADED.computeIfAbsent("qwen-json", k -> Tokenizers.fromHfDirectory(dir));
    }

    static Tokenizer llama3Json() {
        Path dir = Fixtures.file("tokenizers/llama3");
        return LOADED.computeIfAbsent("llama3-json", k -> Tokenizers.fromHfDirectory(dir));
    }

    static Tokenizer qwenGGUF() {
        Path gguf = Fixtures.file("models/tiny-qwen2-realvocab.Q8_0.gguf");
        return LOADED.computeIfAbsent("qwen-gguf", k -> Tokenizers.fromGGUFMetadata(metadata(gguf), gguf));
    }

    /** Llama 3 through GGUF metadata built from its tokenizer.json as llama.cpp's converter would. */
    static Tokenizer llama3GGUF() {
        Path json = Fixtures.file("tokenizers/llama3/tokenizer.json");
        return LOADED.computeIfAbsent("llama3-gguf", k -> {
            try {
                return Tokenizers.fromGGUFMetadata(ConverterStyleMetadata.fromTokenizerJson(json, "llama-bpe",
                        "<|begin_of_text|>", "<|eot_id|>", true), json);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    static Tokenizer stories() {
        Path gguf = Fixtures.file("models/stories260K.gguf");
        return LOADED.computeIfAbsent("stories", k -> Tokenizers.fromGGUFMetadata(metadata(gguf), gguf));
    }

    static Map<String, Object> metadata(Path gguf) {
        try (org.aloe4j.formats.gguf.GGUFFile file = org.aloe4j.formats.gguf.GGUFFile.open(gguf)) {
            return file.metadata();
        }
    }

    /**
     * Reads {@code tokenizer-vectors/<name>.inp/.out}: inputs separated by {@code "\n__ggml_vocab_test__\n"} (the
     * file ends with one, leaving an empty last piece that is not a test), one line of ids per input.
     */
    static List<Vector> vectors(String name) {
        try {
            String inp = Files.readString(Fixtures.file("tokenizer-vectors/" + name + ".inp"), StandardCharsets.UTF_8);
            List<String> out = Files.readAllLines(Fixtures.file("tokenizer-vectors/" + name + ".out"),
                    StandardCharsets.UTF_8);
            String[] texts = inp.split("\n__ggml_vocab_test__\n", -1);
            if (!texts[texts.length - 1].isEmpty()) {
                throw new IllegalStateException(name + ".inp does not end with the separator");
            }
            int count = texts.length - 1;
            if (out.size() != count) {
                throw new IllegalStateException(name + ": " + count + " inputs but " + out.size() + " id lines");
            }
            Vector[] vectors = new Vector[count];
            for (int i = 0; i < count; i++) {
                String line = out.get(i).trim();
                int[] ids = line.isEmpty() ? new int[0]
                        : Arrays.stream(line.split(" +")).mapToInt(Integer::parseInt).toArray();
                vectors[i] = new Vector(i, texts[i], ids);
            }
            return List.of(vectors);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
