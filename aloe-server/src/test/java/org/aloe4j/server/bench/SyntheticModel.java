package org.aloe4j.server.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.aloe4j.formats.TensorSource;
import org.aloe4j.formats.gguf.GGMLType;
import org.aloe4j.formats.gguf.GGUFFile;
import org.aloe4j.formats.gguf.GGUFWriter;
import org.aloe4j.formats.gguf.GGUFValueType;

/**
 * A Qwen2-shaped GGUF with random weights, for load benchmarks on models bigger than the fixtures: the tokenizer
 * (1000 tokens) and settings of {@code tiny-qwen2.F32.gguf}, with the given width, depth and weight type. The
 * output layer is tied to the small embedding, so the transformer blocks carry the weight, as in a 7B model.
 */
final class SyntheticModel {
    private SyntheticModel() {}

    /**
     * @param type F32, F16, BF16 or Q8_0
     */
    static void write(Path template, Path out, GGMLType type, int dim, int ffn, int layers, int heads, int kvHeads)
            throws IOException {
        int headDim = dim / heads;
        int kvDim = kvHeads * headDim;
        try (GGUFFile src = GGUFFile.open(template)) {
            GGUFWriter w = new GGUFWriter().putAll(src);
            w.put("qwen2.embedding_length", GGUFValueType.UINT32, (long) dim);
            w.put("qwen2.feed_forward_length", GGUFValueType.UINT32, (long) ffn);
            w.put("qwen2.block_count", GGUFValueType.UINT32, (long) layers);
            w.put("qwen2.attention.head_count", GGUFValueType.UINT32, (long) heads);
            w.put("qwen2.attention.head_count_kv", GGUFValueType.UINT32, (long) kvHeads);
            w.put("qwen2.context_length", GGUFValueType.UINT32, 4096L);
            w.putString("general.name", "synthetic-qwen2-" + dim + "x" + layers + "-" + type);
            w.putString("general.comment", "random weights for aloe-server benchmarks");
            int vocab = (int) src.tensor("token_embd.weight").dims()[1];
            long seed = 1;
            w.addTensor("token_embd.weight", new long[] {dim, vocab}, GGMLType.F32, random(GGMLType.F32, (long) dim * vocab, seed++));
            w.addTensor("output_norm.weight", new long[] {dim}, GGMLType.F32, ones(dim));
            for (int l = 0; l < layers; l++) {
                String p = "blk." + l + ".";
                w.addTensor(p + "attn_norm.weight", new long[] {dim}, GGMLType.F32, ones(dim));
                w.addTensor(p + "attn_q.weight", new long[] {dim, dim}, type, random(type, (long) dim * dim, seed++));
                w.addTensor(p + "attn_k.weight", new long[] {dim, kvDim}, type, random(type, (long) dim * kvDim, seed++));
                w.addTensor(p + "attn_v.weight", new long[] {dim, kvDim}, type, random(type, (long) dim * kvDim, seed++));
                w.addTensor(p + "attn_q.bias", new long[] {dim}, GGMLType.F32, random(GGMLType.F32, dim, seed++));
                w.addTensor(p + "attn_k.bias", new long[] {kvDim}, GGMLType.F32, random(GGMLType.F32, kvDim, seed++));
                w.addTensor(p + "attn_v.bias", new long[] {kvDim}, GGMLType.F32, random(GGMLType.F32, kvDim, seed++));
                w.addTensor(p + "attn_output.weight", new long[] {dim, dim}, type, random(type, (long) dim * dim, seed++));
                w.addTensor(p + "ffn_norm.weight", new long[] {dim}, GGMLType.F32, ones(dim));
                w.addTensor(p + "ffn_gate.weight", new long[] {dim, ffn}, type, random(type, (long) dim * ffn, seed++));
                w.addTensor(p + "ffn_up.weight", new long[] {dim, ffn}, type, random(type, (long) dim * ffn, seed++));
                w.addTensor(p + "ffn_down.weight", new long[] {ffn, dim}, type, random(type, (long) ffn * dim, seed++));
            }
            w.write(out);
        }
    }

    private static TensorSource ones(int n) {
        ByteBuffer b = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            b.putFloat(1f);
        }
        return TensorSource.of(b.array());
    }

    /** Uniform weights in [-0.05, 0.05) (Q8_0: random quants with a matching scale). */
    private static TensorSource random(GGMLType type, long elements, long seed) {
        return TensorSource.ofStream(raw -> {
            OutputStream out = new BufferedOutputStream(raw, 1 << 20);
            SplittableRandom r = new SplittableRandom(seed);
            switch (type) {
                case F32 -> {
                    for (long i = 0; i < elements; i++) {
                        int bits = Float.floatToRawIntBits((float) (r.nextDouble() * 0.1 - 0.05));
                        out.write(bits);
                        out.write(bits >>> 8);
                        out.write(bits >>> 16);
                        out.write(bits >>> 24);
                    }
                }
                case F16 -> {
                    for (long i = 0; i < elements; i++) {
                        short h = Float.floatToFloat16((float) (r.nextDouble() * 0.1 - 0.05));
                        out.write(h);
                        out.write(h >>> 8);
                    }
                }
                case BF16 -> {
                    for (long i = 0; i < elements; i++) {
                        int bits = Float.floatToRawIntBits((float) (r.nextDouble() * 0.1 - 0.05)) >>> 16;
                        out.write(bits);
                        out.write(bits >>> 8);
                    }
                }
                case Q8_0 -> {
                    short scale = Float.floatToFloat16(0.05f / 127);
                    byte[] quants = new byte[32];
                    for (long b = 0; b < elements / 32; b++) {
                        out.write(scale);
                        out.write(scale >>> 8);
                        r.nextBytes(quants);
                        out.write(quants);
                    }
                }
                default -> throw new IllegalArgumentException("synthetic weights of type " + type + " are not supported");
            }
            out.flush();
        });
    }
}
