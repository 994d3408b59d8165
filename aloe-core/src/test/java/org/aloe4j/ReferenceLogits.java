package org.aloe4j;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.aloe4j.model.KVCache;
import org.aloe4j.model.LoadedModel;
import org.aloe4j.model.ModelLoader;
import org.aloe4j.model.Transformer;

/**
 * Test helpers around llama.cpp's reference JSON files (fixtures README, "Reference JSON format"): run a model on a
 * token sequence in one batch for the logits of every position, read the JSON's arrays, compare logits.
 */
public final class ReferenceLogits {
    private ReferenceLogits() {}

    public static float[][] of(Path model, int[] tokens) {
        try (LoadedModel m = ModelLoader.load(model)) {
            Transformer t = new Transformer(m.config(), m.weights());
            int n = tokens.length;
            int vocab = m.config().vocabSize();
            KVCache cache = t.newCache(n);
            int[] pos = new int[n];
            KVCache[] caches = new KVCache[n];
            boolean[] want = new boolean[n];
            for (int i = 0; i < n; i++) {
                pos[i] = i;
                caches[i] = cache;
                want[i] = true;
            }
            float[] flat = new float[n * vocab];
            t.forward(n, tokens, pos, caches, want, flat);
            float[][] rows = new float[n][vocab];
            for (int i = 0; i < n; i++) {
                System.arraycopy(flat, i * vocab, rows[i], 0, vocab);
            }
            return rows;
        }
    }

    public static float[][] reference(JsonNode ref) {
        JsonNode l = ref.get("logits");
        float[][] rows = new float[l.size()][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = new float[l.get(i).size()];
            for (int j = 0; j < rows[i].length; j++) {
                rows[i][j] = l.get(i).get(j).floatValue();
            }
        }
        return rows;
    }

    public static int[] ints(JsonNode arr) {
        int[] a = new int[arr.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = arr.get(i).asInt();
        }
        return a;
    }

    public static float[] floats(JsonNode arr) {
        float[] a = new float[arr.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = arr.get(i).floatValue();
        }
        return a;
    }

    public static double[] doubles(JsonNode arr) {
        double[] a = new double[arr.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = arr.get(i).asDouble();
        }
        return a;
    }

    /** Index of the largest of {@code a[off .. off + n)}, relative to {@code off}; the first one on ties. */
    public static int argmax(float[] a, int off, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (a[off + i] > a[off + best]) {
                best = i;
            }
        }
        return best;
    }

    public static int argmax(float[] a) {
        return argmax(a, 0, a.length);
    }

    public static double maxDiff(float[][] a, float[][] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[i].length; j++) {
                max = Math.max(max, Math.abs(a[i][j] - b[i][j]));
            }
        }
        return max;
    }

    public static double rms(float[][] a) {
        double s = 0;
        long n = 0;
        for (float[] row : a) {
            for (float v : row) {
                s += (double) v * v;
                n++;
            }
        }
        return Math.sqrt(s / n);
    }
}
