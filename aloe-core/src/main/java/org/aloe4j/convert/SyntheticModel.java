package org.aloe4j.convert;

import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.aloe4j.formats.gguf.GGMLType;
import org.aloe4j.formats.gguf.GGUFWriter;
import org.aloe4j.model.Architecture;
import org.aloe4j.model.ModelConfig;
import org.aloe4j.model.RopeLayout;
import org.aloe4j.model.RopeScaling;
import org.aloe4j.quantize.FileType;
import org.aloe4j.quantize.TypeMix;

/**
 * GGUF files of the real Qwen2.5 / Llama 3.1 shapes with seeded random weights, for tests and benchmarks: the same
 * metadata, tensor names, quantizers and per-tensor type mixes as {@link HfToGguf}, a generated vocabulary of the
 * real size ({@link SyntheticVocabulary}), and weights drawn from N(0, 0.02^2) (norms 1, rope_freqs the llama3
 * values). The same seed gives the same file whatever the number of threads: every row has its own random stream.
 */
public final class SyntheticModel {
    private SyntheticModel() {}

    /** Standard deviation of the random matrices and biases (a typical initialisation scale). */
    static final float WEIGHT_STD = 0.02f;

    /** The model shapes {@code aloe synth} knows. */
    public enum Preset {
        QWEN2_5_7B("qwen2.5-7b"),
        QWEN2_5_72B("qwen2.5-72b"),
        LLAMA3_1_8B("llama3.1-8b"),
        LLAMA3_1_70B("llama3.1-70b"),
        TINY("tiny");

        public final String id;

        Preset(String id) {
            this.id = id;
        }

        /** @throws IllegalArgumentException naming the presets */
        public static Preset parse(String id) {
            for (Preset p : values()) {
                if (p.id.equalsIgnoreCase(id.trim())) {
                    return p;
                }
            }
            StringBuilder known = new StringBuilder();
            for (Preset p : values()) {
                known.append(known.isEmpty() ? "" : ", ").append(p.id);
            }
            throw new IllegalArgumentException("unknown preset '" + id + "' (known: " + known + ")");
        }
    }

    /**
     * The configuration of a preset. The 7B/8B/70B/72B presets fix the architecture ({@code arch} may be null or
     * must agree); {@code tiny} takes it from {@code arch} (E256 FF512 L2 H4/KV2, vocabulary 1000, like the fixture
     * models).
     */
    public static ModelConfig config(Preset preset, Architecture arch) {
        Architecture fixed = switch (preset) {
            case QWEN2_5_7B, QWEN2_5_72B -> Architecture.QWEN2;
            case LLAMA3_1_8B, LLAMA3_1_70B -> Architecture.LLAMA;
            case TINY -> null;
        };
        if (fixed != null && arch != null && arch != fixed) {
            throw new IllegalArgumentException("preset " + preset.id + " is a "
                    + fixed.name().toLowerCase(Locale.ROOT) + " model, not " + arch.name().toLowerCase(Locale.ROOT));
        }
        if (fixed == null && arch == null) {
            throw new IllegalArgumentException("preset tiny needs an architecture (qwen2 or llama)");
        }
        RopeScaling llama3 = new RopeScaling(8, 1, 4, 8192);
        ModelConfig c = switch (preset) {
            case QWEN2_5_7B -> qwen("qwen2.5-7b (synthetic)", 3584, 18944, 28, 28, 4, 152064, 32768);
            case QWEN2_5_72B -> qwen("qwen2.5-72b (synthetic)", 8192, 29568, 80, 64, 8, 152064, 32768);
            case LLAMA3_1_8B -> llama("llama3.1-8b (synthetic)", 4096, 14336, 32, 32, 8, 128256, llama3);
            case LLAMA3_1_70B -> llama("llama3.1-70b (synthetic)", 8192, 28672, 80, 64, 8, 128256, llama3);
            case TINY -> arch == Architecture.QWEN2
                    ? qwen("tiny qwen2 (synthetic)", 256, 512, 2, 4, 2, 1000, 4096)
                    : llama("tiny llama (synthetic)", 256, 512, 2, 4, 2, 1000, llama3);
        };
        return c.validate();
    }

    private static ModelConfig qwen(String name, int dim, int ffn, int layers, int heads, int kv, int vocab, int ctx) {
        return new ModelConfig(Architecture.QWEN2, name, dim, ffn, layers, heads, kv, dim / heads, vocab, ctx, 1e-6f,
                1e6, RopeLayout.NEOX, null, null, true, false, -1, new int[0]);
    }

    private static ModelConfig llama(String name, int dim, int ffn, int layers, int heads, int kv, int vocab,
                                     RopeScaling scaling) {
        return new ModelConfig(Architecture.LLAMA, name, dim, ffn, layers, heads, kv, dim / heads, vocab, 131072,
                1e-5f, 500000, RopeLayout.INTERLEAVED, null, scaling, false, false, -1, new int[0]);
    }

    /** A planned file: the writer (metadata and lazy tensor sources) and the type of each tensor. */
    public record Plan(GGUFWriter writer, Map<GGMLType, Integer> tensorTypes, long dataBytes) {}

    /** Declares the whole file without computing any weight; {@code plan.writer().write(out)} then streams it. */
    public static Plan plan(ModelConfig c, FileType type, long seed) {
        GGUFWriter w = new GGUFWriter();
        LlamaCppLayout.putModelMetadata(w, c, type, c.name());
        SyntheticVocabulary.put(w, c.architecture(), c.vocabSize());
        TypeMix mix = new TypeMix(type, c.layers(), c.tiedEmbeddings(),
                TypeMix.isSeventyBClass(LlamaCppLayout.archName(c), c.layers(), c.heads(), c.kvHeads()));
        Map<GGMLType, Integer> counts = new EnumMap<>(GGMLType.class);
        List<LlamaCppLayout.TensorSpec> specs = LlamaCppLayout.tensors(c);
        for (LlamaCppLayout.TensorSpec s : specs) {
            GGMLType t = mix.typeOf(s.name(), s.dims());
            counts.merge(t, 1, Integer::sum);
            w.addTensor(s.name(), s.dims(), t, new QuantizingSource(rows(c, s, seed), s.rows(), s.cols(), t, null));
        }
        return new Plan(w, counts, w.dataSize());
    }

    private static RowSource rows(ModelConfig c, LlamaCppLayout.TensorSpec s, long seed) {
        if (s.name().equals("rope_freqs.weight")) {
            float[] factors = LlamaCppLayout.llama3RopeFactors(c);
            return (row, dst, off) -> System.arraycopy(factors, 0, dst, off, factors.length);
        }
        if (s.name().endsWith("_norm.weight")) {
            return (row, dst, off) -> java.util.Arrays.fill(dst, off, off + s.cols(), 1.0f);
        }
        long tensorSeed = SplitMix.mix(seed ^ SplitMix.mix(s.name().hashCode()));
        int cols = s.cols();
        return (row, dst, off) -> SplitMix.fillGaussian(SplitMix.mix(tensorSeed + row), dst, off, cols, WEIGHT_STD);
    }

    /** Writes the file; returns the plan that was written. */
    public static Plan write(ModelConfig c, FileType type, long seed, Path out) throws IOException {
        Plan p = plan(c, type, seed);
        p.writer().write(out);
        return p;
    }
}
