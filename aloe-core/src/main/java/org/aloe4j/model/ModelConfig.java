package org.aloe4j.model;

/**
 * Everything the transformer needs to know about a model, read from GGUF metadata or a Hugging Face config.json.
 * Qwen2 and Llama differ only in these fields.
 *
 * @param ropeFreqFactors per-pair divisors of the RoPE frequencies (GGUF {@code rope_freqs.weight}), or null
 * @param ropeScaling     llama3 scaling from config.json, or null (never both this and ropeFreqFactors)
 * @param eosIds          token ids that end a reply (eos and the turn-end token)
 */
public record ModelConfig(
        Architecture architecture,
        String name,
        int dim,
        int ffnDim,
        int layers,
        int heads,
        int kvHeads,
        int headDim,
        int vocabSize,
        int contextLength,
        float rmsNormEps,
        double ropeTheta,
        RopeLayout ropeLayout,
        float[] ropeFreqFactors,
        RopeScaling ropeScaling,
        boolean qkvBias,
        boolean tiedEmbeddings,
        int bosId,
        int[] eosIds) {

    public int qDim() {
        return heads * headDim;
    }

    public int kvDim() {
        return kvHeads * headDim;
    }

    /** Query heads that share one key/value head (grouped-query attention). */
    public int groupSize() {
        return heads / kvHeads;
    }

    /**
     * The inverse frequency of each rotated pair, {@code theta^(-2i/d)} with the model's scaling applied.
     * Computed in double; the kernels use them as float angles per position.
     */
    public double[] ropeInverseFrequencies() {
        int half = headDim / 2;
        double[] inv = new double[half];
        for (int i = 0; i < half; i++) {
            inv[i] = Math.pow(ropeTheta, -2.0 * i / headDim);
        }
        if (ropeScaling != null) {
            inv = ropeScaling.apply(inv);
        }
        if (ropeFreqFactors != null) {
            for (int i = 0; i < half; i++) {
                inv[i] /= ropeFreqFactors[i];
            }
        }
        return inv;
    }

    /** Checks the shapes fit together; throws IllegalArgumentException naming the field. */
    public ModelConfig validate() {
        require(dim > 0 && ffnDim > 0 && layers > 0 && vocabSize > 0, "dimensions must be positive");
        require(heads > 0 && kvHeads > 0 && heads % kvHeads == 0, "heads (" + heads + ") must be a multiple of kv heads (" + kvHeads + ")");
        require(headDim > 0 && headDim % 2 == 0, "head dimension must be even, got " + headDim);
        require(contextLength > 0, "context length must be positive");
        require(ropeFreqFactors == null || ropeFreqFactors.length == headDim / 2,
                "rope_freqs has " + (ropeFreqFactors == null ? 0 : ropeFreqFactors.length) + " values, expected " + headDim / 2);
        return this;
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalArgumentException("invalid model configuration: " + what);
        }
    }

    public long parameterCount() {
        long attn = (long) dim * qDim() + 2L * dim * kvDim() + (long) qDim() * dim;
        long mlp = 3L * dim * ffnDim;
        long perLayer = attn + mlp + 2L * dim + (qkvBias ? qDim() + 2L * kvDim() : 0);
        long emb = (long) vocabSize * dim;
        return layers * perLayer + emb + (tiedEmbeddings ? 0 : emb) + dim;
    }
}
