package org.aloe4j.convert;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.aloe4j.model.KVCache;
import org.aloe4j.model.LoadedModel;
import org.aloe4j.model.ModelLoader;
import org.aloe4j.model.Transformer;

/** Runs a model on a token sequence in one batch and returns the logits of every position (as FixtureLogitsTest). */
final class Logits {
    private Logits() {}

    static float[][] of(Path model, int[] tokens) {
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

    static float[][] reference(JsonNode ref) {
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

    static int[] ints(JsonNode arr) {
        int[] a = new int[arr.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = arr.get(i).asInt();
        }
        return a;
    }

    static double maxDiff(float[][] a, float[][] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[i].length; j++) {
                max = Math.max(max, Math.abs(a[i][j] - b[i][j]));
            }
        }
        return max;
    }

    static double rms(float[][] a) {
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
