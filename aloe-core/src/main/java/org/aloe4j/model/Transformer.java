package org.aloe4j.model;

import org.aloe4j.tensors.IntRangeBody;
import org.aloe4j.tensors.MatMul;
import org.aloe4j.tensors.Parallel;
import org.aloe4j.tensors.Tensor;

/**
 * The decoder-only transformer shared by Qwen2 and Llama (differences are {@link ModelConfig} flags).
 *
 * <p>{@link #forward} takes a batch of rows (token, position, sequence cache): prompt processing (many rows of one
 * sequence), single-stream decode (one row) and batched decode over several sequences (one row each) all run
 * the same code, and every weight matrix is read once per batch.
 *
 * <pre>
 *   x = embed(token)
 *   per layer:  h = rmsnorm(x) ; q,k,v = Wq h + bq, Wk h + bk, Wv h + bv ; rope(q, k) ; cache k, v
 *               x += Wo attention(q, cache)
 *               h = rmsnorm(x) ; x += Wdown (silu(Wgate h) * Wup h)
 *   logits = Wout rmsnorm(x)
 * </pre>
 * Not thread-safe for concurrent forwards (it owns its scratch buffers); callers serialise or batch.
 */
public final class Transformer {
    private final ModelConfig c;
    private final Weights w;
    private final Rope rope;
    private final ThreadLocal<float[]> scoreScratch = ThreadLocal.withInitial(() -> new float[256]);
    /** The attention work handed to the pool, reused across layers and steps (a decode step allocates nothing). */
    private final AttentionJob attentionJob = new AttentionJob();
    /**
     * hb = silu(hb) * hb2 over a range of elements, on the pool: one exp per element (5 ns) made it 4-5% of an
     * 8-row forward on one thread while the other waited.
     */
    private final IntRangeBody swiglu = (start, end) -> {
        float[] gate = this.hb, up = this.hb2;
        for (int i = start; i < end; i++) {
            float g = gate[i];
            gate[i] = g / (1f + (float) Math.exp(-g)) * up[i];
        }
    };

    // Scratch activations, [rows][width] flattened; grown to the largest batch seen.
    private int capacityRows;
    private float[] x, xb, xb2, q, k, v, att, hb, hb2, cos, sin;
    private int[] logitRows;

    public Transformer(ModelConfig config, Weights weights) {
        this.c = config;
        this.w = weights;
        this.rope = new Rope(config);
        ensureRows(1);
    }

    public ModelConfig config() {
        return c;
    }

    public Weights weights() {
        return w;
    }

    /** A cache for one sequence of up to {@code contextLength} tokens (at most the model's context length). */
    public KVCache newCache(int contextLength) {
        if (contextLength > c.contextLength()) {
            throw new IllegalArgumentException("context length " + contextLength + " exceeds the model's maximum "
                    + c.contextLength());
        }
        return new KVCache(c.layers(), contextLength, c.kvDim());
    }

    /** Decodes one token of one sequence and returns its logits (a new array). */
    public float[] forward(int token, int pos, KVCache cache) {
        float[] logits = new float[c.vocabSize()];
        forward(1, new int[] {token}, new int[] {pos}, new KVCache[] {cache}, new boolean[] {true}, logits);
        return logits;
    }

    /** Processes a prompt of one sequence starting at {@code startPos}; returns the logits after its last token. */
    public float[] prefill(int[] tokens, int startPos, KVCache cache) {
        int n = tokens.length;
        int[] pos = new int[n];
        KVCache[] caches = new KVCache[n];
        boolean[] want = new boolean[n];
        for (int i = 0; i < n; i++) {
            pos[i] = startPos + i;
            caches[i] = cache;
        }
        want[n - 1] = true;
        float[] logits = new float[c.vocabSize()];
        forward(n, tokens, pos, caches, want, logits);
        return logits;
    }

    /**
     * Runs {@code n} rows through the model. Row i is token {@code tokens[i]} at position {@code positions[i]} of the
     * sequence whose cache is {@code caches[i]}; its keys and values are stored there. Rows of one sequence must
     * come in increasing position order (each attends to the cache up to its own position, which includes the
     * earlier rows of the same batch). For rows with {@code wantLogits[i]}, the logits are written one after the
     * other into {@code logits} ({@code vocabSize} floats each), in row order.
     */
    public void forward(int n, int[] tokens, int[] positions, KVCache[] caches, boolean[] wantLogits, float[] logits) {
        validate(n, tokens, positions, caches);
        ensureRows(n);
        int dim = c.dim();
        for (int r = 0; r < n; r++) {
            w.tokenEmbedding().dequantizeRow(tokens[r], x, r * dim);
        }
        for (int l = 0; l < c.layers(); l++) {
            layer(l, n, positions, caches);
        }
        int outRows = 0;
        for (int r = 0; r < n; r++) {
            if (wantLogits[r]) {
                rmsnorm(x, r * dim, w.outputNorm(), xb, outRows * dim, dim, c.rmsNormEps());
                logitRows[outRows++] = r;
            }
        }
        if (outRows > 0) {
            if (logits.length < (long) outRows * c.vocabSize()) {
                throw new IllegalArgumentException("logits array too small for " + outRows + " rows");
            }
            matmul(w.output(), xb, outRows, logits);
        }
    }

    private void layer(int l, int n, int[] positions, KVCache[] caches) {
        Weights.Layer L = w.layers()[l];
        int dim = c.dim(), qDim = c.qDim(), kvDim = c.kvDim(), ffn = c.ffnDim(), hd = c.headDim();
        float eps = c.rmsNormEps();

        // attention block
        for (int r = 0; r < n; r++) {
            rmsnorm(x, r * dim, L.attnNorm(), xb, r * dim, dim, eps);
        }
        matmul(L.wq(), xb, n, q);
        matmul(L.wk(), xb, n, k);
        matmul(L.wv(), xb, n, v);
        for (int r = 0; r < n; r++) {
            if (L.bq() != null) {
                addBias(q, r * qDim, L.bq());
                addBias(k, r * kvDim, L.bk());
                addBias(v, r * kvDim, L.bv());
            }
            rope.angles(positions[r], cos, sin);
            rope.rotate(q, r * qDim, c.heads(), cos, sin);
            rope.rotate(k, r * kvDim, c.kvHeads(), cos, sin);
            int at = positions[r] * kvDim;
            System.arraycopy(k, r * kvDim, caches[r].keys[l], at, kvDim);
            System.arraycopy(v, r * kvDim, caches[r].values[l], at, kvDim);
        }
        attentionJob.set(l, positions, caches);
        try {
            Parallel.forRange(0, n * c.kvHeads(), attentionJob);
        } finally {
            attentionJob.set(0, null, null);
        }
        matmul(L.wo(), att, n, xb2);
        for (int i = 0, e = n * dim; i < e; i++) {
            x[i] += xb2[i];
        }

        // feed-forward block (SwiGLU)
        for (int r = 0; r < n; r++) {
            rmsnorm(x, r * dim, L.ffnNorm(), xb, r * dim, dim, eps);
        }
        matmul(L.wGate(), xb, n, hb);
        matmul(L.wUp(), xb, n, hb2);
        Parallel.forRange(0, n * ffn, swiglu);
        matmul(L.wDown(), hb, n, xb2);
        for (int i = 0, e = n * dim; i < e; i++) {
            x[i] += xb2[i];
        }
    }

    private void matmul(Tensor t, float[] in, int n, float[] out) {
        MatMul.matmul(t, in, n, out, w.activationFormat(t));
    }

    /** out = x / sqrt(mean(x^2) + eps) * weight; the mean is accumulated in double as ggml does. */
    static void rmsnorm(float[] in, int inOff, float[] weight, float[] out, int outOff, int n, float eps) {
        double ss = 0;
        for (int i = 0; i < n; i++) {
            float v = in[inOff + i];
            ss += v * v;
        }
        // float sqrt and float division, as ggml: the activations' 8-bit rounding can hinge on the last bit
        float scale = 1.0f / (float) Math.sqrt((float) (ss / n) + eps);
        for (int i = 0; i < n; i++) {
            out[outOff + i] = in[inOff + i] * scale * weight[i];
        }
    }

    private static void addBias(float[] a, int off, float[] bias) {
        for (int i = 0; i < bias.length; i++) {
            a[off + i] += bias[i];
        }
    }

    private void validate(int n, int[] tokens, int[] positions, KVCache[] caches) {
        if (n <= 0 || tokens.length < n || positions.length < n || caches.length < n) {
            throw new IllegalArgumentException("batch of " + n + " rows with too few tokens/positions/caches");
        }
        for (int r = 0; r < n; r++) {
            if (tokens[r] < 0 || tokens[r] >= c.vocabSize()) {
                throw new IllegalArgumentException("token id " + tokens[r] + " outside the vocabulary (0.." + (c.vocabSize() - 1) + ")");
            }
            if (positions[r] < 0 || positions[r] >= caches[r].capacity()) {
                throw new IllegalArgumentException("position " + positions[r] + " outside the context (0.." + (caches[r].capacity() - 1) + ")");
            }
        }
    }

    private void ensureRows(int n) {
        if (n <= capacityRows) {
            return;
        }
        capacityRows = Math.max(n, capacityRows * 2);
        int rows = capacityRows;
        x = new float[rows * c.dim()];
        xb = new float[rows * c.dim()];
        xb2 = new float[rows * c.dim()];
        q = new float[rows * c.qDim()];
        k = new float[rows * c.kvDim()];
        v = new float[rows * c.kvDim()];
        att = new float[rows * c.qDim()];
        hb = new float[rows * c.ffnDim()];
        hb2 = new float[rows * c.ffnDim()];
        cos = new float[c.headDim() / 2];
        sin = new float[c.headDim() / 2];
        logitRows = new int[rows];
    }

    /** Attention of every (row, KV head) item of one layer, all query heads of the group; fields set per layer. */
    private final class AttentionJob implements IntRangeBody {
        private int layer;
        private int[] positions;
        private KVCache[] caches;

        void set(int layer, int[] positions, KVCache[] caches) {
            this.layer = layer;
            this.positions = positions;
            this.caches = caches;
        }

        @Override
        public void run(int start, int end) {
            int kvHeads = c.kvHeads(), group = c.groupSize(), qDim = c.qDim(), hd = c.headDim();
            float[] scores = scoreScratch.get();
            for (int item = start; item < end; item++) {
                int r = item / kvHeads, kv = item % kvHeads;
                int pos = positions[r];
                int need = Attention.scratchSize(group, pos);
                if (scores.length < need) {
                    scores = new float[Math.max(need, scores.length * 2)];
                    scoreScratch.set(scores);
                }
                int first = r * qDim + kv * group * hd; // the group's first query head
                Attention.group(q, first, caches[r], layer, kv, group, pos, hd, att, first, scores);
            }
        }
    }
}
