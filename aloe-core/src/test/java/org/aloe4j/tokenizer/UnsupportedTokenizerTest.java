package org.aloe4j.tokenizer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.aloe4j.formats.ModelFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tokenizers we cannot run are refused with one line naming the file and what is not supported. */
class UnsupportedTokenizerTest {
    @TempDir
    Path dir;

    private static void assertOneLineMentioning(ModelFormatException e, String... parts) {
        String message = e.getMessage();
        assertFalse(message.contains("\n"), message);
        for (String part : parts) {
            assertTrue(message.contains(part), "'" + part + "' missing from: " + message);
        }
    }

    private Path write(String name, String json) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, json);
        return file;
    }

    @Test
    void wordPieceAndUnigramInTokenizerJson() throws IOException {
        Path bert = write("bert.json", """
                {"normalizer": {"type": "BertNormalizer"}, "pre_tokenizer": {"type": "BertPreTokenizer"},
                 "model": {"type": "WordPiece", "unk_token": "[UNK]", "vocab": {"[UNK]": 0, "a": 1}}}""");
        assertOneLineMentioning(assertThrows(ModelFormatException.class, () -> Tokenizers.fromTokenizerJson(bert)),
                bert.toString(), "WordPiece");
        Path t5 = write("t5.json", """
                {"model": {"type": "Unigram", "unk_id": 0, "vocab": [["<unk>", 0.0], ["a", -1.0]]}}""");
        assertOneLineMentioning(assertThrows(ModelFormatException.class, () -> Tokenizers.fromTokenizerJson(t5)),
                t5.toString(), "Unigram");
    }

    @Test
    void sentencePieceStyleBpeInTokenizerJson() throws IOException {
        Path llama2 = write("llama2.json", """
                {"normalizer": {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "▁"}]},
                 "pre_tokenizer": null,
                 "model": {"type": "BPE", "byte_fallback": true, "vocab": {"a": 0}, "merges": []}}""");
        assertOneLineMentioning(assertThrows(ModelFormatException.class,
                () -> Tokenizers.fromTokenizerJson(llama2)), llama2.toString(), "SentencePiece-style BPE");
        Path metaspace = write("metaspace.json", """
                {"pre_tokenizer": {"type": "Metaspace", "replacement": "▁"},
                 "model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}}""");
        assertOneLineMentioning(assertThrows(ModelFormatException.class,
                () -> Tokenizers.fromTokenizerJson(metaspace)), metaspace.toString(), "Metaspace");
    }

    @Test
    void brokenOrMissingFiles() throws IOException {
        Path missing = dir.resolve("nope/tokenizer.json");
        assertOneLineMentioning(assertThrows(ModelFormatException.class,
                () -> Tokenizers.fromTokenizerJson(missing)), missing.toString(), "not found");
        Path truncated = write("truncated.json", "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": ");
        assertOneLineMentioning(assertThrows(ModelFormatException.class,
                () -> Tokenizers.fromTokenizerJson(truncated)), truncated.toString(), "cannot read JSON");
        Path badMerge = write("badmerge.json", """
                {"pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "use_regex": true},
                 "model": {"type": "BPE", "vocab": {"a": 0, "b": 1}, "merges": ["a b"]}}""");
        assertOneLineMentioning(assertThrows(ModelFormatException.class,
                () -> Tokenizers.fromTokenizerJson(badMerge)), badMerge.toString(), "merge #0 'a b'");
    }

    @Test
    void otherGGUFTokenizerModels() {
        Path source = Path.of("models/some-t5.gguf");
        for (String model : new String[] {"t5", "bert", "rwkv"}) {
            Map<String, Object> md = new HashMap<>();
            md.put("tokenizer.ggml.model", model);
            md.put("tokenizer.ggml.tokens", new String[] {"a", "b"});
            assertOneLineMentioning(assertThrows(ModelFormatException.class,
                    () -> Tokenizers.fromGGUFMetadata(md, source)), source.toString(), "'" + model + "'");
        }
        assertOneLineMentioning(assertThrows(ModelFormatException.class,
                () -> Tokenizers.fromGGUFMetadata(Map.of(), source)), source.toString(), "tokenizer.ggml.model");
    }

    @Test
    void unknownPreTokenizerAndBadMetadataInGGUF() {
        Path source = Path.of("x.gguf");
        Map<String, Object> md = new HashMap<>();
        md.put("tokenizer.ggml.model", "gpt2");
        md.put("tokenizer.ggml.pre", "deepseek-coder");
        md.put("tokenizer.ggml.tokens", new String[] {"a", "b", "ab"});
        md.put("tokenizer.ggml.merges", new String[] {"a b"});
        assertOneLineMentioning(assertThrows(ModelFormatException.class,
                () -> Tokenizers.fromGGUFMetadata(md, source)), "x.gguf", "'deepseek-coder'");
        md.put("tokenizer.ggml.pre", "qwen2");
        md.put("tokenizer.ggml.token_type", new int[] {1, 1});
        assertOneLineMentioning(assertThrows(ModelFormatException.class,
                () -> Tokenizers.fromGGUFMetadata(md, source)), "x.gguf", "token_type", "2 entries for 3");
        md.remove("tokenizer.ggml.token_type");
        md.put("tokenizer.ggml.eos_token_id", 7L);
        assertOneLineMentioning(assertThrows(ModelFormatException.class,
                () -> Tokenizers.fromGGUFMetadata(md, source)), "x.gguf", "eos_token_id = 7");
        md.put("tokenizer.ggml.eos_token_id", "2");
        assertOneLineMentioning(assertThrows(ModelFormatException.class,
                () -> Tokenizers.fromGGUFMetadata(md, source)), "x.gguf", "eos_token_id is a String");
        md.put("tokenizer.ggml.eos_token_id", 2);
        Tokenizer tok = Tokenizers.fromGGUFMetadata(md, source);
        assertTrue(tok.eosId() == 2 && tok.encode("ab").length == 1, "a valid map loads");
        assertThrows(IllegalArgumentException.class, () -> tok.decode(new int[] {3}));
    }
}
