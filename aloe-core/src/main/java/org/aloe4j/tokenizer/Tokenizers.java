package org.aloe4j.tokenizer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.aloe4j.formats.ModelFormatException;

/**
 * Loads tokenizers. Errors (missing files, unsupported tokenizer models, inconsistent data) are
 * {@link ModelFormatException}s with a one-line message naming the file.
 *
 * <p>Supported: byte-level BPE (Qwen2/2.5, Llama 3/3.1, GPT-2 style) from a Hugging Face {@code tokenizer.json} or
 * from GGUF metadata ({@code tokenizer.ggml.model = "gpt2"}); SentencePiece BPE from GGUF metadata
 * ({@code "llama"}).
 *
 * <p>Known differences from the references, by design:
 * <ul>
 *   <li>{@link Tokenizer#encode(String)} recognises no added token at all. Hugging Face and llama.cpp would still
 *       match non-special added tokens (Qwen's {@code <tool_call>}, user-defined in GGUF) in plain text.</li>
 *   <li>Added-token flags lstrip/rstrip/single_word/normalized are not applied (all false for Qwen2.5 and
 *       Llama 3).</li>
 *   <li>Decoding never applies transformers' {@code clean_up_tokenization_spaces} (set in Llama 3's config, also
 *       done by llama.cpp's {@code llama_detokenize} for llama-bpe): decode stays the exact inverse of encode and
 *       equal to what streaming produces.</li>
 * </ul>
 */
public final class Tokenizers {
    private Tokenizers() {}

    /**
     * A tokenizer from a Hugging Face {@code tokenizer.json} alone: BOS (and add-BOS) come from a post-processor
     * that prepends a special token (Llama 3); EOS is unknown (-1) without {@code tokenizer_config.json}.
     */
    public static Tokenizer fromTokenizerJson(Path tokenizerJson) {
        requireFile(tokenizerJson);
        return HfTokenizerJsonLoader.load(tokenizerJson, HfTokenizerJsonLoader.Config.NONE);
    }

    /**
     * A tokenizer from a Hugging Face model directory: {@code tokenizer.json}, plus {@code tokenizer_config.json}
     * (when present) for {@code bos_token}, {@code eos_token} (a string or an AddedToken object) and
     * {@code add_bos_token}.
     */
    public static Tokenizer fromHfDirectory(Path dir) {
        Path json = dir.resolve("tokenizer.json");
        requireFile(json);
        Path configFile = dir.resolve("tokenizer_config.json");
        HfTokenizerJsonLoader.Config config = Files.isRegularFile(configFile)
                ? HfTokenizerJsonLoader.readConfig(configFile) : HfTokenizerJsonLoader.Config.NONE;
        return HfTokenizerJsonLoader.load(json, config);
    }

    /**
     * A tokenizer from GGUF metadata ({@code tokenizer.ggml.*} keys; strings as String, arrays as String[] /
     * int[] / float[] (lists and other numeric arrays are accepted too), ids as Long or Integer).
     *
     * @param sourceForErrors the GGUF file, named in error messages
     */
    public static Tokenizer fromGGUFMetadata(Map<String, Object> metadata, Path sourceForErrors) {
        return GGUFVocabularyLoader.load(metadata, sourceForErrors);
    }

    private static void requireFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ModelFormatException(file, "tokenizer file not found");
        }
    }
}
