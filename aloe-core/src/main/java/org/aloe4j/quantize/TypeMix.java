package org.aloe4j.quantize;

import org.aloe4j.formats.gguf.GGMLType;

/**
 * Which ggml type each tensor of a model gets for a {@link FileType}: llama-quantize's rules
 * ({@code llama_tensor_get_type} in llama.cpp's {@code src/llama-quant.cpp}, without an importance matrix) for the
 * types we write, so that our files have the same per-tensor types as llama-quantize's.
 *
 * <ul>
 *   <li>1-D tensors (norms, biases, {@code rope_freqs}) stay F32; so does every {@code *_norm.weight}.</li>
 *   <li>F32 / F16 / BF16: every matrix in that type (as llama.cpp's converter writes them).</li>
 *   <li>The output matrix ({@code output.weight}, or {@code token_embd.weight} when the embeddings are tied) is Q6_K,
 *       except for Q8_0 files (stays Q8_0) and when its rows are not a whole number of the base type's blocks
 *       (Q8_0).</li>
 *   <li>Q4_K_M and Q5_K_M: {@code attn_v} and {@code ffn_down} of the "more bits" layers are Q6_K: the first and
 *       last eighth of the layers and every third layer in between ({@code use_more_bits}). In 80-layer models
 *       (llama.cpp's 70B class: Qwen2.5-72B, Llama-3.1-70B) a Q4_K {@code attn_v} becomes Q5_K.</li>
 *   <li>Rows that are not a whole number of blocks fall back: Q4_K to Q5_0, Q5_K to Q5_1, Q6_K to Q8_0, and to F16
 *       if even the 32-wide blocks do not fit.</li>
 * </ul>
 */
public final class TypeMix {
    private final FileType fileType;
    private final int layers;
    private final boolean tiedEmbeddings;
    private final boolean seventyBClass;

    /**
     * @param layers         the model's block count
     * @param tiedEmbeddings whether {@code token_embd.weight} doubles as the output matrix (no {@code output.weight})
     * @param seventyBClass  whether llama.cpp classes the model as 70B (80 layers; for llama also grouped-query
     *                       attention): see {@link #isSeventyBClass}
     */
    public TypeMix(FileType fileType, int layers, boolean tiedEmbeddings, boolean seventyBClass) {
        this.fileType = fileType;
        this.layers = layers;
        this.tiedEmbeddings = tiedEmbeddings;
        this.seventyBClass = seventyBClass;
    }

    /** llama.cpp's LLM_TYPE_70B: 80 layers (for llama only with fewer KV heads than heads). */
    public static boolean isSeventyBClass(String architecture, int layers, int heads, int kvHeads) {
        if (layers != 80) {
            return false;
        }
        return architecture.equals("qwen2") || (architecture.equals("llama") && heads != kvHeads);
    }

    public FileType fileType() {
        return fileType;
    }

    /**
     * The type of tensor {@code name} (a GGUF name such as {@code blk.3.attn_v.weight}) of shape {@code dims}
     * (ggml order: {@code dims[0]} is the row length).
     */
    public GGMLType typeOf(String name, long[] dims) {
        if (dims.length < 2 || name.endsWith("_norm.weight") || !name.endsWith("weight")) {
            return GGMLType.F32;
        }
        GGMLType base = fileType.baseType;
        if (!fileType.isQuantized()) {
            return base;
        }
        long rowLength = dims[0];
        GGMLType type = base;
        boolean output = name.equals("output.weight") || (tiedEmbeddings && name.equals("token_embd.weight"));
        int layer = layerOf(name);
        if (output) {
            if (rowLength % base.blockSize != 0) {
                type = GGMLType.Q8_0;
            } else if (base != GGMLType.Q8_0) {
                type = GGMLType.Q6_K;
            }
        } else if (name.endsWith("attn_v.weight") || name.endsWith("attn_qkv.weight")) {
            boolean kMix = fileType == FileType.Q4_K_M || fileType == FileType.Q5_K_M;
            if (kMix && layer >= 0 && useMoreBits(layer, layers)) {
                type = GGMLType.Q6_K;
            }
            if (seventyBClass && type == GGMLType.Q4_K) {
                type = GGMLType.Q5_K;
            }
        } else if (name.endsWith("ffn_down.weight")) {
            boolean kMix = fileType == FileType.Q4_K_M || fileType == FileType.Q5_K_M;
            if (kMix && layer >= 0 && useMoreBits(layer, layers)) {
                type = GGMLType.Q6_K;
            }
        }
        return fallback(type, rowLength);
    }

    /** llama.cpp's {@code use_more_bits}: first and last eighth, and every third layer in between. */
    static boolean useMoreBits(int layer, int layers) {
        return layer < layers / 8 || layer >= 7 * layers / 8 || (layer - layers / 8) % 3 == 2;
    }

    private static GGMLType fallback(GGMLType type, long rowLength) {
        if (rowLength % type.blockSize == 0) {
            return type;
        }
        GGMLType f = switch (type) {
            case Q4_K -> GGMLType.Q5_0;
            case Q5_K -> GGMLType.Q5_1;
            case Q6_K -> GGMLType.Q8_0;
            default -> GGMLType.F16;
        };
        return rowLength % f.blockSize == 0 ? f : GGMLType.F16;
    }

    /** The N of {@code blk.N.}, or -1. */
    static int layerOf(String name) {
        if (!name.startsWith("blk.")) {
            return -1;
        }
        int dot = name.indexOf('.', 4);
        try {
            return dot < 0 ? -1 : Integer.parseInt(name, 4, dot, 10);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
