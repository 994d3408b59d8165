package org.aloe4j.convert;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.aloe4j.formats.gguf.GGUFWriter;
import org.aloe4j.model.Architecture;
import org.aloe4j.model.ModelConfig;
import org.aloe4j.model.RopeScaling;
import org.aloe4j.quantize.FileType;

/**
 * The tensors and hyper-parameter metadata of a Qwen2 or Llama GGUF file as llama.cpp loads them: tensor names
 * ({@code token_embd}, {@code blk.N.attn_q}, ...) with their Hugging Face sources, shapes, and the {@code general.*}
 * and {@code <arch>.*} keys that llama.cpp's converter writes.
 */
public final class LlamaCppLayout {
    private LlamaCppLayout() {}

    /** Whether a tensor's rows get llama.cpp's q/k permutation, and with which head count. */
    public enum Permute { NONE, QUERY_HEADS, KV_HEADS }

    /**
     * One tensor of the file.
     *
     * @param name   the GGUF name
     * @param hfName the Hugging Face name it is converted from (null for generated tensors such as rope_freqs)
     * @param rows   rows (1 for a vector)
     * @param cols   values per row
     * @param vector whether the tensor is 1-D
     */
    public record TensorSpec(String name, String hfName, long rows, int cols, boolean vector, Permute permute) {
        /** ggml order: row length first. */
        public long[] dims() {
            return vector ? new long[] {cols} : new long[] {cols, rows};
        }

        public long elements() {
            return rows * cols;
        }
    }

    /** The GGUF architecture name ({@code general.architecture}). */
    public static String archName(ModelConfig c) {
        return c.architecture().name().toLowerCase(Locale.ROOT);
    }

    /**
     * The tensors in file order: rope_freqs (for llama3 rope scaling), token_embd, the blocks, output_norm, output
     * (absent when the embeddings are tied).
     */
    public static List<TensorSpec> tensors(ModelConfig c) {
        boolean llama = c.architecture() == Architecture.LLAMA;
        List<TensorSpec> out = new ArrayList<>();
        if (c.ropeScaling() != null || c.ropeFreqFactors() != null) {
            out.add(new TensorSpec("rope_freqs.weight", null, 1, c.headDim() / 2, true, Permute.NONE));
        }
        out.add(matrix("token_embd.weight", "model.embed_tokens.weight", c.vocabSize(), c.dim(), Permute.NONE));
        for (int i = 0; i < c.layers(); i++) {
            String b = "blk." + i + ".";
            String h = "model.layers." + i + ".";
            out.add(vector(b + "attn_norm.weight", h + "input_layernorm.weight", c.dim()));
            out.add(matrix(b + "attn_q.weight", h + "self_attn.q_proj.weight", c.qDim(), c.dim(),
                    llama ? Permute.QUERY_HEADS : Permute.NONE));
            out.add(matrix(b + "attn_k.weight", h + "self_attn.k_proj.weight", c.kvDim(), c.dim(),
                    llama ? Permute.KV_HEADS : Permute.NONE));
            out.add(matrix(b + "attn_v.weight", h + "self_attn.v_proj.weight", c.kvDim(), c.dim(), Permute.NONE));
            if (c.qkvBias()) {
                out.add(new TensorSpec(b + "attn_q.bias", h + "self_attn.q_proj.bias", 1, c.qDim(), true,
                        llama ? Permute.QUERY_HEADS : Permute.NONE));
                out.add(new TensorSpec(b + "attn_k.bias", h + "self_attn.k_proj.bias", 1, c.kvDim(), true,
                        llama ? Permute.KV_HEADS : Permute.NONE));
                out.add(vector(b + "attn_v.bias", h + "self_attn.v_proj.bias", c.kvDim()));
            }
            out.add(matrix(b + "attn_output.weight", h + "self_attn.o_proj.weight", c.dim(), c.qDim(), Permute.NONE));
            out.add(vector(b + "ffn_norm.weight", h + "post_attention_layernorm.weight", c.dim()));
            out.add(matrix(b + "ffn_gate.weight", h + "mlp.gate_proj.weight", c.ffnDim(), c.dim(), Permute.NONE));
            out.add(matrix(b + "ffn_up.weight", h + "mlp.up_proj.weight", c.ffnDim(), c.dim(), Permute.NONE));
            out.add(matrix(b + "ffn_down.weight", h + "mlp.down_proj.weight", c.dim(), c.ffnDim(), Permute.NONE));
        }
        out.add(vector("output_norm.weight", "model.norm.weight", c.dim()));
        if (!c.tiedEmbeddings()) {
            out.add(matrix("output.weight", "lm_head.weight", c.vocabSize(), c.dim(), Permute.NONE));
        }
        return out;
    }

    private static TensorSpec matrix(String name, String hf, long rows, int cols, Permute p) {
        return new TensorSpec(name, hf, rows, cols, false, p);
    }

    private static TensorSpec vector(String name, String hf, int n) {
        return new TensorSpec(name, hf, 1, n, true, Permute.NONE);
    }

    /** The head count a permuted tensor is split by. */
    static int heads(ModelConfig c, Permute p) {
        return p == Permute.QUERY_HEADS ? c.heads() : c.kvHeads();
    }

    /**
     * Writes {@code general.*} and the architecture's hyper-parameters, as llama.cpp's converter names and types
     * them (counts UINT32, floats FLOAT32).
     */
    public static void putModelMetadata(GGUFWriter w, ModelConfig c, FileType type, String name) {
        String a = archName(c);
        w.putString("general.architecture", a);
        w.putString("general.name", name);
        w.putUint32("general.file_type", type.llamaFileType);
        w.putUint32("general.quantization_version", 2);
        w.putUint32(a + ".context_length", c.contextLength());
        w.putUint32(a + ".embedding_length", c.dim());
        w.putUint32(a + ".feed_forward_length", c.ffnDim());
        w.putUint32(a + ".block_count", c.layers());
        w.putUint32(a + ".attention.head_count", c.heads());
        w.putUint32(a + ".attention.head_count_kv", c.kvHeads());
        w.putFloat32(a + ".rope.freq_base", (float) c.ropeTheta());
        w.putFloat32(a + ".attention.layer_norm_rms_epsilon", c.rmsNormEps());
        if (c.headDim() != c.dim() / c.heads()) {
            w.putUint32(a + ".attention.key_length", c.headDim());
            w.putUint32(a + ".attention.value_length", c.headDim());
        }
        if (c.architecture() == Architecture.LLAMA) {
            w.putUint32(a + ".vocab_size", c.vocabSize());
            w.putUint32(a + ".rope.dimension_count", c.headDim());
        }
    }

    /**
     * The {@code rope_freqs} values llama.cpp's converter writes for {@code rope_type: llama3}: per rotated pair, the
     * divisor of its frequency (1 for high frequencies, {@code factor} for low ones, blended between), in float32
     * arithmetic as the converter computes them.
     */
    public static float[] llama3RopeFactors(ModelConfig c) {
        RopeScaling s = c.ropeScaling();
        if (s == null) {
            return c.ropeFreqFactors();
        }
        int dim = c.headDim();
        float lowFreqWavelen = (float) (s.originalContextLength() / s.lowFreqFactor());
        float highFreqWavelen = (float) (s.originalContextLength() / s.highFreqFactor());
        float[] out = new float[dim / 2];
        for (int i = 0; i < dim / 2; i++) {
            float exponent = (float) (2 * i) / dim;
            float freq = 1.0f / (float) Math.pow(c.ropeTheta(), exponent);
            float wavelen = (float) (2 * Math.PI) / freq;
            if (wavelen < highFreqWavelen) {
                out[i] = 1;
            } else if (wavelen > lowFreqWavelen) {
                out[i] = (float) s.factor();
            } else {
                float smooth = ((float) s.originalContextLength() / wavelen - (float) s.lowFreqFactor())
                        / (float) (s.highFreqFactor() - s.lowFreqFactor());
                out[i] = 1 / ((1 - smooth) / (float) s.factor() + smooth);
            }
        }
        return out;
    }
}
