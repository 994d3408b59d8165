package org.aloe4j.merge;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.aloe4j.formats.safetensors.SafeTensorsDType;
import org.aloe4j.formats.safetensors.SafeTensorsWriter;

/**
 * Writes a synthetic Hugging Face directory with Qwen2.5-7B's tensor names and shapes (BF16, 5 GB shards, config.json
 * and a stub tokenizer) for the merge benchmark; nothing is held in memory. Values are a hash of (seed, tensor,
 * index) mapped to [-0.05, 0.05) (norm weights 1.0); a "tuned" model is the base (same base seed) plus noise of
 * deviation about {@code noise}, so that task vectors look like fine-tuning deltas.
 *
 * <p>Usage: {@code SyntheticQwen2Model DIR LAYERS BASE_SEED [TUNE_SEED NOISE]}
 */
public final class SyntheticQwen2Model {
    static final long HIDDEN = 3584;
    static final long INTERMEDIATE = 18944;
    static final long KV = 512; // 4 key/value heads of 128
    static final long VOCAB = 152064;

    private SyntheticQwen2Model() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 3 && args.length != 5) {
            System.err.println("usage: SyntheticQwen2Model DIR LAYERS BASE_SEED [TUNE_SEED NOISE]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        int layers = Integer.parseInt(args[1]);
        long baseSeed = Long.parseLong(args[2]);
        long tuneSeed = args.length == 5 ? Long.parseLong(args[3]) : 0;
        float noise = args.length == 5 ? Float.parseFloat(args[4]) : 0f;
        long t0 = System.nanoTime();
        write(dir, layers, baseSeed, tuneSeed, noise);
        System.err.printf("wrote %s in %.1f s%n", dir, (System.nanoTime() - t0) / 1e9);
    }

    static Map<String, long[]> shapes(int layers) {
        Map<String, long[]> s = new LinkedHashMap<>();
        s.put("model.embed_tokens.weight", new long[] {VOCAB, HIDDEN});
        for (int l = 0; l < layers; l++) {
            String p = "model.layers." + l + ".";
            s.put(p + "input_layernorm.weight", new long[] {HIDDEN});
            s.put(p + "self_attn.q_proj.weight", new long[] {HIDDEN, HIDDEN});
            s.put(p + "self_attn.q_proj.bias", new long[] {HIDDEN});
            s.put(p + "self_attn.k_proj.weight", new long[] {KV, HIDDEN});
            s.put(p + "self_attn.k_proj.bias", new long[] {KV});
            s.put(p + "self_attn.v_proj.weight", new long[] {KV, HIDDEN});
            s.put(p + "self_attn.v_proj.bias", new long[] {KV});
            s.put(p + "self_attn.o_proj.weight", new long[] {HIDDEN, HIDDEN});
            s.put(p + "post_attention_layernorm.weight", new long[] {HIDDEN});
            s.put(p + "mlp.gate_proj.weight", new long[] {INTERMEDIATE, HIDDEN});
            s.put(p + "mlp.up_proj.weight", new long[] {INTERMEDIATE, HIDDEN});
            s.put(p + "mlp.down_proj.weight", new long[] {HIDDEN, INTERMEDIATE});
        }
        s.put("model.norm.weight", new long[] {HIDDEN});
        s.put("lm_head.weight", new long[] {VOCAB, HIDDEN});
        return s;
    }

    static void write(Path dir, int layers, long baseSeed, long tuneSeed, float noise) throws IOException {
        Files.createDirectories(dir);
        SafeTensorsWriter w = new SafeTensorsWriter().putMetadata("format", "pt");
        for (Map.Entry<String, long[]> e : shapes(layers).entrySet()) {
            String name = e.getKey();
            long n = 1;
            for (long d : e.getValue()) {
                n *= d;
            }
            long elements = n;
            boolean norm = name.endsWith("norm.weight");
            long baseKey = DareMask.streamKey(baseSeed, name, 0);
            long tuneKey = DareMask.streamKey(tuneSeed, name, 1);
            w.add(name, SafeTensorsDType.BF16, e.getValue(), out -> {
                ByteBuffer buf = ByteBuffer.allocate(1 << 22).order(ByteOrder.LITTLE_ENDIAN);
                for (long i = 0; i < elements; i++) {
                    float v = norm ? 1f : (float) (DareMask.uniformBits(baseKey, i) * 0x1p-32 - 0.5) * 0.1f;
                    if (noise != 0) {
                        // a sum of two uniforms: triangular, deviation noise
                        double u = DareMask.uniformBits(tuneKey, 2 * i) * 0x1p-32
                                + DareMask.uniformBits(tuneKey, 2 * i + 1) * 0x1p-32 - 1;
                        v += (float) (u * noise * Math.sqrt(6));
                    }
                    buf.putShort(ElementCodec.floatToBf16(v));
                    if (!buf.hasRemaining()) {
                        buf.flip();
                        while (buf.hasRemaining()) {
                            out.write(buf);
                        }
                        buf.clear();
                    }
                }
                buf.flip();
                while (buf.hasRemaining()) {
                    out.write(buf);
                }
            });
        }
        w.writeSharded(dir, 5_000_000_000L);
        Files.writeString(dir.resolve("config.json"), """
                {
                  "architectures": ["Qwen2ForCausalLM"],
                  "hidden_size": %d,
                  "intermediate_size": %d,
                  "model_type": "qwen2",
                  "num_attention_heads": 28,
                  "num_hidden_layers": %d,
                  "num_key_value_heads": 4,
                  "rms_norm_eps": 1e-06,
                  "rope_theta": 1000000.0,
                  "tie_word_embeddings": false,
                  "torch_dtype": "bfloat16",
                  "vocab_size": %d
                }
                """.formatted(HIDDEN, INTERMEDIATE, layers, VOCAB));
        Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": {\"type\": \"BPE\", \"vocab\": {}}, \"added_tokens\": []}\n");
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": \"<|im_end|>\"}\n");
    }
}
