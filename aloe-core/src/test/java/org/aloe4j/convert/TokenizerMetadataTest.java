package org.aloe4j.convert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.aloe4j.Fixtures;
import org.aloe4j.formats.ModelFormatException;
import org.aloe4j.formats.gguf.GGUFFile;
import org.aloe4j.formats.gguf.GGUFWriter;
import org.aloe4j.quantize.FileType;
import org.aloe4j.tokenizer.Tokenizer;
import org.aloe4j.tokenizer.Tokenizers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The tokenizer metadata we write, read back through our GGUF reader and {@link Tokenizers#fromGGUFMetadata}, must
 * tokenize like the Hugging Face tokenizer.json it came from (llama.cpp's tokenizer test inputs plus chat text with
 * special tokens), with the same special ids.
 */
class TokenizerMetadataTest {

    static List<String> texts(String vectors) throws IOException {
        String inp = Files.readString(Fixtures.file("tokenizer-vectors/" + vectors));
        List<String> out = new ArrayList<>(List.of(inp.split("\n__ggml_vocab_test__\n", -1)));
        out.add("<|im_start|>system\nYou are Aloe.<|im_end|>\n<|im_start|>user\nFever 39.5 °C for 3 days?<|im_end|>\n");
        out.add("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHello 12345<|eot_id|>");
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "tokenizers/qwen2.5, 152064, qwen2, ggml-vocab-qwen2.gguf.inp",
        "tokenizers/llama3, 128256, llama-bpe, ggml-vocab-llama-bpe.gguf.inp",
        "hf/tiny-qwen2, 1000, qwen2, ggml-vocab-qwen2.gguf.inp",
        "hf/tiny-llama, 1000, qwen2, ggml-vocab-qwen2.gguf.inp"})
    void roundTripsThroughGgufMetadata(String dir, int vocab, String pre, String vectors, @TempDir Path tmp)
            throws IOException {
        Path hf = Fixtures.file(dir);
        GGUFWriter w = new GGUFWriter();
        HfTokenizerMetadata.put(hf, vocab, w);
        Path file = tmp.resolve("vocab.gguf");
        w.write(file);
        Tokenizer expected = Tokenizers.fromHfDirectory(hf);
        try (GGUFFile g = GGUFFile.open(file)) {
            assertEquals(pre, g.getString("tokenizer.ggml.pre"));
            assertEquals(vocab, g.getStringArray("tokenizer.ggml.tokens").length);
            String template = new ObjectMapper().readTree(hf.resolve("tokenizer_config.json").toFile())
                    .get("chat_template").asText();
            assertEquals(template, g.getString("tokenizer.chat_template"));
            Tokenizer ours = Tokenizers.fromGGUFMetadata(g.metadata(), file);
            assertEquals(vocab, ours.vocabSize());
            assertEquals(expected.eosId(), ours.eosId());
            assertEquals(expected.addBos(), ours.addBos());
            if (expected.bosId() >= 0) {
                assertEquals(expected.bosId(), ours.bosId());
            }
            int compared = 0;
            for (String text : texts(vectors)) {
                assertArrayEquals(expected.encode(text), ours.encode(text), "plain: " + text);
                assertArrayEquals(expected.encode(text, true), ours.encode(text, true), "special: " + text);
                compared++;
            }
            assertTrue(compared > 40);
            for (int id = 0; id < expected.vocabSize(); id += 97) {
                assertEquals(expected.tokenText(id), ours.tokenText(id), "token " + id);
                assertEquals(expected.isSpecial(id), ours.isSpecial(id), "special " + id);
            }
        }
    }

    @Test
    void specialIdsAsLlamaCppsConverterSetsThem(@TempDir Path tmp) throws IOException {
        // Qwen2.5: eos and pad from tokenizer_config.json, no bos token there and no config.json; add_bos false
        GGUFWriter w = new GGUFWriter();
        HfTokenizerMetadata.put(Fixtures.file("tokenizers/qwen2.5"), 152064, w);
        w.write(tmp.resolve("q.gguf"));
        try (GGUFFile g = GGUFFile.open(tmp.resolve("q.gguf"))) {
            assertEquals(151645, g.getInt("tokenizer.ggml.eos_token_id", -1));
            assertEquals(151643, g.getInt("tokenizer.ggml.padding_token_id", -1));
            assertEquals(-1, g.getInt("tokenizer.ggml.bos_token_id", -1));
            assertEquals(false, g.getBoolean("tokenizer.ggml.add_bos_token", true));
            String[] tokens = g.getStringArray("tokenizer.ggml.tokens");
            int[] types = g.getIntArray("tokenizer.ggml.token_type");
            assertEquals("[PAD152063]", tokens[152063]);
            assertEquals(HfTokenizerMetadata.UNUSED, types[152063]);
            assertEquals(HfTokenizerMetadata.CONTROL, types[151644]); // <|im_start|>
            assertEquals(HfTokenizerMetadata.USER_DEFINED, types[151657]); // <tool_call>, not special
            assertEquals(HfTokenizerMetadata.NORMAL, types[100]);
            assertEquals(151387, g.getStringArray("tokenizer.ggml.merges").length);
        }
        // Llama 3: bos from tokenizer_config.json, add_bos from the post-processor that prepends it
        GGUFWriter l = new GGUFWriter();
        HfTokenizerMetadata.put(Fixtures.file("tokenizers/llama3"), 128256, l);
        l.write(tmp.resolve("l.gguf"));
        try (GGUFFile g = GGUFFile.open(tmp.resolve("l.gguf"))) {
            assertEquals(128000, g.getInt("tokenizer.ggml.bos_token_id", -1));
            assertEquals(128009, g.getInt("tokenizer.ggml.eos_token_id", -1));
            assertEquals(true, g.getBoolean("tokenizer.ggml.add_bos_token", false));
        }
    }

    @Test
    void refusesTokenizersItCannotName(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("odd");
        Files.createDirectories(dir);
        String json = Files.readString(Fixtures.file("hf/tiny-qwen2/tokenizer.json"))
                .replace("\\\\p{N}|", "\\\\p{N}{1,2}|");
        Files.writeString(dir.resolve("tokenizer.json"), json);
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> HfTokenizerMetadata.put(dir, 1000, new GGUFWriter()));
        assertTrue(e.getMessage().contains("tokenizer.json") && e.getMessage().contains("regex"), e.getMessage());
        ModelFormatException small = assertThrows(ModelFormatException.class,
                () -> HfTokenizerMetadata.put(Fixtures.file("hf/tiny-qwen2"), 999, new GGUFWriter()));
        assertTrue(small.getMessage().contains("999"), small.getMessage());
        assertTrue(FileType.Q4_K_M.isQuantized());
    }
}
