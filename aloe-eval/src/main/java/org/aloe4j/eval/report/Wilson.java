package org.aloe4j.eval.report;

/**
 * The Wilson score interval for a binomial proportion: with p = k/n and z the normal quantile,
 * centre = (p + z²/2n) / (1 + z²/n), half-width = z / (1 + z²/n) * sqrt(p(1-p)/n + z²/4n²). Unlike the normal
 * approximation it stays inside [0, 1] and behaves at p = 0 or 1 and small n.
 */
public final class Wilson {
    private Wilson() {}

    /** The 97.5% quantile of the standard normal distribution (two-sided 95%). */
    public static final double Z95 = 1.959963984540054;

    public static final String METHOD = "Wilson score interval, z = 1.959964 (95%)";

    /** {lo, hi}; [0, 1] when n = 0. */
    public static double[] interval(long k, long n, double z) {
        if (n < 0 || k < 0 || k > n) {
            throw new IllegalArgumentException("need 0 <= k <= n: k=" + k + " n=" + n);
        }
        if (n == 0) {
            return new double[] {0, 1};
        }
        double p = (double) k / n;
        double z2 = z * z;
        double denom = 1 + z2 / n;
        double centre = (p + z2 / (2.0 * n)) / denom;
        double half = z / denom * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n));
        return new double[] {Math.max(0, centre - half), Math.min(1, centre + half)};
    }

    public static double[] interval95(long k, long n) {
        return interval(k, n, Z95);
    }
}
