package org.aloe4j.tokenizer;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.aloe4j.formats.ModelFormatException;

/**
 * Builds a tokenizer from GGUF {@code tokenizer.ggml.*} metadata, as llama.cpp's {@code llama_vocab::load} reads it.
 * Supported models: {@code gpt2} (byte-level BPE) with pre-tokenizer {@code qwen2} or {@code llama-bpe}
 * ({@code llama3}, {@code llama-v3}) or {@code gpt-2}, and {@code llama} (SentencePiece). Other models and
 * pre-tokenizers are refused with a message naming them: guessing a pre-tokenizer silently changes the tokens.
 *
 * <p>One deliberate difference from llama.cpp: for {@code qwen2} the text is NFC-normalized first, as Qwen's
 * tokenizer.json (and therefore Hugging Face, where the models were trained) does; llama.cpp skips that step.
 */
final class GGUFVocabularyLoader {
    private GGUFVocabularyLoader() {}

    static final String MODEL = "tokenizer.ggml.model";
    static final String PRE = "tokenizer.ggml.pre";
    static final String TOKENS = "tokenizer.ggml.tokens";
    static final String TOKEN_TYPE = "tokenizer.ggml.token_type";
    static final String MERGES = "tokenizer.ggml.merges";
    static final String SCORES = "tokenizer.ggml.scores";
    static final String BOS = "tokenizer.ggml.bos_token_id";
    static final String EOS = "tokenizer.ggml.eos_token_id";
    static final String UNK = "tokenizer.ggml.unknown_token_id";
    static final String ADD_BOS = "tokenizer.ggml.add_bos_token";
    static final String ADD_SPACE_PREFIX = "tokenizer.ggml.add_space_prefix";

    static Tokenizer load(Map<String, Object> md, Path source) {
        Object modelValue = md.get(MODEL);
        if (modelValue == null) {
            throw new ModelFormatException(source, "no tokenizer in the metadata (" + MODEL + " missing)");
        }
        String model = string(md, MODEL, source);
        if (!model.equals("gpt2") && !model.equals("llama")) {
            throw new ModelFormatException(source, "unsupported tokenizer model '" + model + "' (" + MODEL
                    + "; supported: 'gpt2' byte-level BPE, 'llama' SentencePiece)");
        }
        String[] texts = stringArray(md, TOKENS, source);
        if (texts == null || texts.length == 0) {
            throw new ModelFormatException(source, TOKENS + " is missing or empty");
        }
        int n = texts.length;
        TokenType[] types = new TokenType[n];
        int[] typeCodes = intArray(md, TOKEN_TYPE, source);
        if (typeCodes != null && typeCodes.length != n) {
            throw new ModelFormatException(source, TOKEN_TYPE + " has " + typeCodes.length + " entries for " + n
                    + " tokens");
        }
        for (int i = 0; i < n; i++) {
            types[i] = typeCodes == null ? TokenType.NORMAL : TokenType.fromGGUF(typeCodes[i]);
            if (types[i] == null) {
                throw new ModelFormatException(source, TOKEN_TYPE + "[" + i + "] = " + typeCodes[i]
                        + " is not a token type (1..6)");
            }
            if (texts[i] == null) {
                throw new ModelFormatException(source, TOKENS + "[" + i + "] is null");
            }
        }
        Map<String, Integer> ids = Vocabulary.reverse(texts);
        int bos = tokenId(md, BOS, n, source);
        int eos = tokenId(md, EOS, n, source);
        Boolean addBosValue = bool(md, ADD_BOS, source);
        AddedTokenMatcher added = Vocabulary.addedTokenMatcher(texts, types);

        if (model.equals("llama")) {
            float[] scores = floatArray(md, SCORES, source);
            if (scores != null && scores.length != n) {
                throw new ModelFormatException(source, SCORES + " has " + scores.length + " entries for " + n
                        + " tokens");
            }
            boolean addBos = addBosValue != null ? addBosValue : true; // llama.cpp's default for SentencePiece
            Boolean addSpacePrefix = bool(md, ADD_SPACE_PREFIX, source);
            Vocabulary vocab = new Vocabulary(source, texts, types, ids, added, bos, eos, checkAddBos(addBos, bos, source));
            return new SentencePieceTokenizer(vocab, scores != null ? scores : new float[n],
                    addSpacePrefix == null || addSpacePrefix, tokenId(md, UNK, n, source));
        }

        String pre = md.containsKey(PRE) ? string(md, PRE, source) : "(missing)";
        String regex;
        boolean nfc = false;
        boolean ignoreMerges = false;
        boolean defaultAddBos = false;
        switch (pre) {
            case "qwen2" -> {
                regex = SplitPatterns.QWEN2;
                nfc = true;
            }
            case "llama-bpe", "llama3", "llama-v3" -> {
                regex = SplitPatterns.LLAMA3;
                ignoreMerges = true;
                defaultAddBos = true;
            }
            case "gpt-2" -> regex = SplitPatterns.GPT2;
            default -> throw new ModelFormatException(source, "unsupported BPE pre-tokenizer '" + pre + "' (" + PRE
                    + "; supported: qwen2, llama-bpe/llama3/llama-v3, gpt-2)");
        }
        String[] mergeTexts = stringArray(md, MERGES, source);
        if (mergeTexts == null) {
            throw new ModelFormatException(source, MERGES + " is missing (needed by a 'gpt2' tokenizer)");
        }
        MergeTable merges = new MergeTable(mergeTexts.length);
        for (int rank = 0; rank < mergeTexts.length; rank++) {
            String m = mergeTexts[rank];
            int space = m == null ? -1 : m.indexOf(' ', 1);
            if (space < 0) {
                throw new ModelFormatException(source, MERGES + "[" + rank + "] is not 'left right': " + m);
            }
            HfTokenizerJsonLoader.addMerge(merges, ids, m.substring(0, space), m.substring(space + 1), rank, source);
        }
        boolean addBos = addBosValue != null ? addBosValue : defaultAddBos;
        Vocabulary vocab = new Vocabulary(source, texts, types, ids, added, bos, eos, checkAddBos(addBos, bos, source));
        Pattern split = SplitPatterns.compile(regex);
        return new ByteLevelBpeTokenizer(vocab, merges, split, nfc, ignoreMerges);
    }

    private static boolean checkAddBos(boolean addBos, int bos, Path source) {
        if (addBos && bos < 0) {
            throw new ModelFormatException(source, ADD_BOS + " is true but " + BOS + " is not set");
        }
        return addBos;
    }

    // ---- typed access to the metadata map (lenient about the Java types the GGUF reader picks) ----

    private static String string(Map<String, Object> md, String key, Path source) {
        Object v = md.get(key);
        if (v instanceof String s) {
            return s;
        }
        throw wrongType(key, v, "a string", source);
    }

    private static Boolean bool(Map<String, Object> md, String key, Path source) {
        Object v = md.get(key);
        if (v == null || v instanceof Boolean) {
            return (Boolean) v;
        }
        throw wrongType(key, v, "a boolean", source);
    }

    /** A token id, or -1 when absent; ids outside the vocabulary are an error. */
    private static int tokenId(Map<String, Object> md, String key, int vocabSize, Path source) {
        Object v = md.get(key);
        if (v == null) {
            return -1;
        }
        if (!(v instanceof Number num) || v instanceof Float || v instanceof Double) {
            throw wrongType(key, v, "an integer", source);
        }
        long id = num.longValue();
        if (id < 0 || id >= vocabSize) {
            throw new ModelFormatException(source, key + " = " + id + " is outside the vocabulary (" + vocabSize
                    + " tokens)");
        }
        return (int) id;
    }

    private static String[] stringArray(Map<String, Object> md, String key, Path source) {
        Object v = md.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof String[] a) {
            return a;
        }
        Object[] items = v instanceof List<?> list ? list.toArray() : v instanceof Object[] a ? a : null;
        if (items != null) {
            String[] out = new String[items.length];
            for (int i = 0; i < items.length; i++) {
                if (!(items[i] instanceof String s)) {
                    throw wrongType(key, v, "an array of strings", source);
                }
                out[i] = s;
            }
            return out;
        }
        throw wrongType(key, v, "an array of strings", source);
    }

    private static int[] intArray(Map<String, Object> md, String key, Path source) {
        Object v = md.get(key);
        switch (v) {
            case null -> {
                return null;
            }
            case int[] a -> {
                return a;
            }
            case long[] a -> {
                int[] out = new int[a.length];
                for (int i = 0; i < a.length; i++) {
                    out[i] = (int) Math.clamp(a[i], Integer.MIN_VALUE, Integer.MAX_VALUE);
                }
                return out;
            }
            case short[] a -> {
                int[] out = new int[a.length];
                for (int i = 0; i < a.length; i++) {
                    out[i] = a[i];
                }
                return out;
            }
            case byte[] a -> {
                int[] out = new int[a.length];
                for (int i = 0; i < a.length; i++) {
                    out[i] = a[i];
                }
                return out;
            }
            default -> {
                Object[] items = v instanceof List<?> list ? list.toArray() : v instanceof Object[] a ? a : null;
                if (items == null) {
                    throw wrongType(key, v, "an array of integers", source);
                }
                int[] out = new int[items.length];
                for (int i = 0; i < items.length; i++) {
                    if (!(items[i] instanceof Number num) || items[i] instanceof Float || items[i] instanceof Double) {
                        throw wrongType(key, v, "an array of integers", source);
                    }
                    out[i] = num.intValue();
                }
                return out;
            }
        }
    }

    private static float[] floatArray(Map<String, Object> md, String key, Path source) {
        Object v = md.get(key);
        switch (v) {
            case null -> {
                return null;
            }
            case float[] a -> {
                return a;
            }
            case double[] a -> {
                float[] out = new float[a.length];
                for (int i = 0; i < a.length; i++) {
                    out[i] = (float) a[i];
                }
                return out;
            }
            default -> {
                Object[] items = v instanceof List<?> list ? list.toArray() : v instanceof Object[] a ? a : null;
                if (items == null) {
                    throw wrongType(key, v, "an array of floats", source);
                }
                float[] out = new float[items.length];
                for (int i = 0; i < items.length; i++) {
                    if (!(items[i] instanceof Number num)) {
                        throw wrongType(key, v, "an array of floats", source);
                    }
                    out[i] = num.floatValue();
                }
                return out;
            }
        }
    }

    private static ModelFormatException wrongType(String key, Object v, String expected, Path source) {
        String actual = v == null ? "missing" : "a " + v.getClass().getSimpleName();
        return new ModelFormatException(source, "metadata " + key + " is " + actual + ", expected " + expected);
    }
}
