package org.aloe4j.quantize;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.aloe4j.formats.gguf.GGMLType;
import org.aloe4j.formats.gguf.GGUFFile;
import org.aloe4j.formats.gguf.GGUFTensorInfo;
import org.aloe4j.tensors.Tensor;
import org.aloe4j.tensors.Tensors;

/**
 * Measures quantization error against an F32 original: for each pair (llama-quantize's file, our file) of the same
 * F32 GGUF, the RMSE of every quantized tensor against the original, pooled per ggml type, and the share of blocks
 * whose bytes are identical between the two files. Prints a markdown table (used for docs/quantization.md).
 *
 * <p>Usage: {@code QuantRmseMain ORIGINAL.F32.gguf LABEL=LLAMA.gguf,OURS.gguf ...}
 */
public final class QuantRmseMain {

    /** Squared error, squared values and element count of the tensors of one type; identical/total blocks. */
    private static final class Acc {
        double seLlama;
        double seOurs;
        double ss;
        long n;
        long sameBlocks;
        long blocks;
        int tensors;
        double worstRelLlama;
        double worstRelOurs;
    }

    public static void main(String[] args) {
        Path original = Path.of(args[0]);
        System.out.println("| file | tensor type | tensors | values | RMSE llama.cpp | RMSE aloe4j | ratio | "
                + "rel. RMSE (aloe4j) | identical blocks |");
        System.out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        try (GGUFFile f32 = GGUFFile.open(original)) {
            for (int a = 1; a < args.length; a++) {
                String label = args[a].substring(0, args[a].indexOf('='));
                String[] files = args[a].substring(args[a].indexOf('=') + 1).split(",");
                Map<GGMLType, Acc> byType = new LinkedHashMap<>();
                try (GGUFFile llama = GGUFFile.open(Path.of(files[0])); GGUFFile ours = GGUFFile.open(Path.of(files[1]))) {
                    for (GGUFTensorInfo lt : llama.tensors()) {
                        if (lt.type() == GGMLType.F32) {
                            continue;
                        }
                        GGUFTensorInfo ot = ours.tensor(lt.name());
                        if (ot == null || ot.type() != lt.type()) {
                            System.err.println(label + ": " + lt.name() + " is " + lt.type() + " in llama.cpp's file, "
                                    + (ot == null ? "missing" : ot.type()) + " in ours");
                            continue;
                        }
                        float[] x = values(f32, f32.tensor(lt.name()));
                        float[] yl = values(llama, lt);
                        float[] yo = values(ours, ot);
                        Acc acc = byType.computeIfAbsent(lt.type(), t -> new Acc());
                        double sel = 0;
                        double seo = 0;
                        double ss = 0;
                        for (int i = 0; i < x.length; i++) {
                            sel += Math.pow(x[i] - yl[i], 2);
                            seo += Math.pow(x[i] - yo[i], 2);
                            ss += (double) x[i] * x[i];
                        }
                        acc.seLlama += sel;
                        acc.seOurs += seo;
                        acc.ss += ss;
                        acc.n += x.length;
                        acc.tensors++;
                        acc.worstRelLlama = Math.max(acc.worstRelLlama, Math.sqrt(sel / ss));
                        acc.worstRelOurs = Math.max(acc.worstRelOurs, Math.sqrt(seo / ss));
                        MemorySegment bl = llama.tensorData(lt);
                        MemorySegment bo = ours.tensorData(ot);
                        int bb = lt.type().blockBytes;
                        long blocks = bl.byteSize() / bb;
                        for (long b = 0; b < blocks; b++) {
                            if (bl.asSlice(b * bb, bb).mismatch(bo.asSlice(b * bb, bb)) < 0) {
                                acc.sameBlocks++;
                            }
                        }
                        acc.blocks += blocks;
                    }
                }
                for (Map.Entry<GGMLType, Acc> e : byType.entrySet()) {
                    Acc c = e.getValue();
                    double rl = Math.sqrt(c.seLlama / c.n);
                    double ro = Math.sqrt(c.seOurs / c.n);
                    System.out.printf(Locale.ROOT, "| %s | %s | %d | %d | %.4e | %.4e | %.4f | %.4f | %.4f%% |%n", label,
                            e.getKey(), c.tensors, c.n, rl, ro, rl == 0 ? 1.0 : ro / rl, Math.sqrt(c.seOurs / c.ss),
                            100.0 * c.sameBlocks / c.blocks);
                }
            }
        }
    }

    static float[] values(GGUFFile g, GGUFTensorInfo t) {
        long rows = t.rows();
        int cols = t.rowLength();
        Tensor x = Tensors.wrap(t.name(), t.type(), g.tensorData(t), rows, cols);
        float[] out = new float[Math.toIntExact(rows * cols)];
        for (long r = 0; r < rows; r++) {
            x.dequantizeRow(r, out, (int) (r * cols));
        }
        return out;
    }
}
