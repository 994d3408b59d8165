package org.aloe4j.model;

import org.aloe4j.tensors.Tensor;

/**
 * A plain float64 transformer written straight from the math, for tests only: no batching, no vectors, no shared
 * code with {@link Transformer} except the scalar weight decoding ({@link Tensor#dequantizeRow}), which is checked
 * separately against ggml. It recomputes everything from scratch for each sequence prefix.
 */
final class ReferenceForward {
    private final ModelConfig c;
    private final Weights w;

    ReferenceForward(ModelConfig c, Weights w) {
        this.c = c;
        this.w = w;
    }

    /** Logits after each token of the sequence: [tokens.length][vocab]. */
    double[][] logits(int[] tokens) {
        int n = tokens.length, dim = c.dim(), hd = c.headDim();
        double[][] x = new double[n][];
        for (int t = 0; t < n; t++) {
            x[t] = row(w.tokenEmbedding(), tokens[t]);
        }
        double[] invFreq = invFreq();
        for (Weights.Layer L : w.layers()) {
            double[][] q = new double[n][], k = new double[n][], v = new double[n][];
            for (int t = 0; t < n; t++) {
                double[] h = rmsnorm(x[t], L.attnNorm());
                q[t] = add(matvec(L.wq(), h), L.bq());
                k[t] = add(matvec(L.wk(), h), L.bk());
                v[t] = add(matvec(L.wv(), h), L.bv());
                rope(q[t], c.heads(), t, invFreq);
                rope(k[t], c.kvHeads(), t, invFreq);
            }
            for (int t = 0; t < n; t++) {
                double[] att = new double[c.qDim()];
                for (int h = 0; h < c.heads(); h++) {
                    int kvh = h / (c.heads() / c.kvHeads());
                    double[] head = attendHead(q[t], h * hd, k, v, kvh * hd, t, hd);
                    System.arraycopy(head, 0, att, h * hd, hd);
                }
                double[] o = matvec(L.wo(), att);
                for (int i = 0; i < dim; i++) {
                    x[t][i] += o[i];
                }
                double[] h = rmsnorm(x[t], L.ffnNorm());
                double[] g = matvec(L.wGate(), h), u = matvec(L.wUp(), h);
                for (int i = 0; i < g.length; i++) {
                    g[i] = g[i] / (1 + Math.exp(-g[i])) * u[i];
                }
                double[] down = matvec(L.wDown(), g);
                for (int i = 0; i < dim; i++) {
                    x[t][i] += down[i];
                }
            }
        }
        double[][] out = new double[n][];
        for (int t = 0; t < n; t++) {
            out[t] = matvec(w.output(), rmsnorm(x[t], w.outputNorm()));
        }
        return out;
    }

    private double[] invFreq() {
        int half = c.headDim() / 2;
        double[] f = new double[half];
        for (int i = 0; i < half; i++) {
            f[i] = 1.0 / Math.pow(c.ropeTheta(), 2.0 * i / c.headDim());
            if (c.ropeFreqFactors() != null) {
                f[i] /= c.ropeFreqFactors()[i];
            }
        }
        if (c.ropeScaling() != null) {
            RopeScaling s = c.ropeScaling();
            for (int i = 0; i < half; i++) {
                double wl = 2 * Math.PI / f[i];
                double lo = s.originalContextLength() / s.lowFreqFactor(), hi = s.originalContextLength() / s.highFreqFactor();
                if (wl > lo) {
                    f[i] /= s.factor();
                } else if (wl >= hi) {
                    double sm = (s.originalContextLength() / wl - s.lowFreqFactor()) / (s.highFreqFactor() - s.lowFreqFactor());
                    f[i] = (1 - sm) * f[i] / s.factor() + sm * f[i];
                }
            }
        }
        return f;
    }

    private void rope(double[] v, int heads, int pos, double[] invFreq) {
        int hd = c.headDim(), half = hd / 2;
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < half; i++) {
                int a = c.ropeLayout() == RopeLayout.NEOX ? h * hd + i : h * hd + 2 * i;
                int b = c.ropeLayout() == RopeLayout.NEOX ? a + half : a + 1;
                double ang = pos * invFreq[i], cs = Math.cos(ang), sn = Math.sin(ang);
                double va = v[a], vb = v[b];
                v[a] = va * cs - vb * sn;
                v[b] = va * sn + vb * cs;
            }
        }
    }

    private double[] rmsnorm(double[] x, float[] weight) {
        double ss = 0;
        for (double v : x) {
            ss += v * v;
        }
        double scale = 1 / Math.sqrt(ss / x.length + c.rmsNormEps());
        double[] o = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            o[i] = x[i] * scale * weight[i];
        }
        return o;
    }

    /**
     * One attention head at position {@code t}, from the math: {@code softmax_u(q . k_u / sqrt(hd)) . v_u} over
     * u = 0..t, where the head's query is {@code q[qOff ..]} and its key/value rows are {@code k[u][kvOff ..]},
     * {@code v[u][kvOff ..]}.
     */
    static double[] attendHead(double[] q, int qOff, double[][] k, double[][] v, int kvOff, int t, int hd) {
        double[] s = new double[t + 1];
        double max = Double.NEGATIVE_INFINITY;
        for (int u = 0; u <= t; u++) {
            double d = 0;
            for (int i = 0; i < hd; i++) {
                d += q[qOff + i] * k[u][kvOff + i];
            }
            s[u] = d / Math.sqrt(hd);
            max = Math.max(max, s[u]);
        }
        double sum = 0;
        for (int u = 0; u <= t; u++) {
            s[u] = Math.exp(s[u] - max);
            sum += s[u];
        }
        double[] out = new double[hd];
        for (int u = 0; u <= t; u++) {
            for (int i = 0; i < hd; i++) {
                out[i] += s[u] / sum * v[u][kvOff + i];
            }
        }
        return out;
    }

    private static double[] add(double[] a, float[] bias) {
        if (bias != null) {
            for (int i = 0; i < a.length; i++) {
                a[i] += bias[i];
            }
        }
        return a;
    }

    private static double[] row(Tensor t, long r) {
        float[] f = new float[t.cols()];
        t.dequantizeRow(r, f, 0);
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    private static double[] matvec(Tensor t, double[] x) {
        double[] out = new double[(int) t.rows()];
        float[] f = new float[t.cols()];
        for (int r = 0; r < out.length; r++) {
            t.dequantizeRow(r, f, 0);
            double s = 0;
            for (int i = 0; i < f.length; i++) {
                s += f[i] * x[i];
            }
            out[r] = s;
        }
        return out;
    }
}
