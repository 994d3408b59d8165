package org.aloe4j.convert;

import java.util.Locale;
import org.aloe4j.formats.gguf.GGMLType;
import org.aloe4j.quantize.Quantizer;

/** Single-thread cost per value of the synthetic weight generator and of each quantizer (not a test). */
public final class SpeedMain {
    public static void main(String[] args) {
        int n = 1 << 20;
        float[] x = new float[n];
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        for (int warm = 0; warm < 2; warm++) {
            long t0 = cpu();
            for (int r = 0; r < reps; r++) {
                SplitMix.fillGaussian(r, x, 0, n, 0.02f);
            }
            report("random N(0, 0.02)", t0, (long) reps * n, warm);
            for (GGMLType t : new GGMLType[] {GGMLType.F16, GGMLType.BF16, GGMLType.Q8_0, GGMLType.Q4_0,
                    GGMLType.Q4_K, GGMLType.Q5_K, GGMLType.Q6_K}) {
                Quantizer q = Quantizer.forType(t);
                byte[] out = new byte[(int) t.bytesFor(n)];
                int rr = t.blockSize == 256 ? Math.max(1, reps / 5) : reps;
                t0 = cpu();
                for (int r = 0; r < rr; r++) {
                    q.quantize(x, 0, n, out, 0);
                }
                report(t.toString(), t0, (long) rr * n, warm);
            }
        }
    }

    /** CPU time of this thread: the machine is shared, wall time would count the other processes. */
    private static long cpu() {
        return java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    private static void report(String what, long t0, long values, int warm) {
        if (warm == 1) {
            System.out.printf(Locale.ROOT, "%-18s %6.2f ns/value (thread CPU time)%n", what, (cpu() - t0) / (double) values);
        }
    }
}
