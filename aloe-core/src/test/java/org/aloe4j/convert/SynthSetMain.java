package org.aloe4j.convert;

import java.nio.file.Path;
import java.util.Locale;
import org.aloe4j.model.Architecture;
import org.aloe4j.model.ModelConfig;
import org.aloe4j.model.RopeLayout;
import org.aloe4j.quantize.FileType;

/**
 * Writes the synthetic tensor set of docs/quantization.md (not a test): a 2-layer llama with Llama-3.1-8B's matrix
 * shapes (4096 x 4096 attn_q/attn_output, 1024 x 4096 attn_k/attn_v, 14336 x 4096 ffn, 32000 x 4096 embeddings),
 * N(0, 0.02^2) weights, seed 1, once as F32 and once per type given; the same seed gives the same floats, so each
 * quantized file is the F32 file quantized.
 *
 * <p>Usage: {@code SynthSetMain OUT_DIR TYPE...}
 */
public final class SynthSetMain {
    public static void main(String[] args) throws Exception {
        ModelConfig c = new ModelConfig(Architecture.LLAMA, "synthetic 4096 set", 4096, 14336, 2, 32, 8, 128, 32000,
                8192, 1e-5f, 500000, RopeLayout.INTERLEAVED, null, null, false, false, -1, new int[0]).validate();
        Path dir = Path.of(args[0]);
        for (int i = 1; i < args.length; i++) {
            FileType t = FileType.parse(args[i]);
            long start = System.nanoTime();
            Path out = dir.resolve("synth4096." + t + ".gguf");
            SyntheticModel.Plan p = SyntheticModel.write(c, t, 1, out);
            System.out.printf(Locale.ROOT, "%s: %.2f GB in %.1f s, %s%n", out, p.dataBytes() / 1e9,
                    (System.nanoTime() - start) / 1e9, p.tensorTypes());
        }
    }
}
