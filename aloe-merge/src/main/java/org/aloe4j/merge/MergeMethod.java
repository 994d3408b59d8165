package org.aloe4j.merge;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The merge methods, as mergekit defines them ({@code mergekit/merge_methods/registry.py}): the task-arithmetic family
 * differs only in how each task vector (model minus base) is sparsified, whether a sign is elected per element, and
 * the defaults of {@code normalize} and {@code rescale}.
 */
public enum MergeMethod {
    /** Weighted average of the models themselves (no base); normalize by the sum of weights by default. */
    LINEAR("linear", Sparsification.NONE, false, true, false, "https://arxiv.org/abs/2203.05482"),
    /** Base plus the weighted sum of task vectors. */
    TASK_ARITHMETIC("task_arithmetic", Sparsification.NONE, false, false, false, "https://arxiv.org/abs/2212.04089"),
    /** Task vectors trimmed to their largest-magnitude fraction, sign election, disjoint mean. */
    TIES("ties", Sparsification.MAGNITUDE, true, true, false, "https://arxiv.org/abs/2306.01708"),
    /** Task vectors randomly dropped (DARE) and rescaled, sign election, disjoint merge. */
    DARE_TIES("dare_ties", Sparsification.RANDOM, true, false, true, "https://arxiv.org/abs/2311.03099"),
    /** Task vectors randomly dropped and rescaled, then summed as in task arithmetic. */
    DARE_LINEAR("dare_linear", Sparsification.RANDOM, false, false, true, "https://arxiv.org/abs/2311.03099");

    /** How a task vector is thinned before the vectors are combined. */
    public enum Sparsification {
        NONE,
        /** Keep the {@code density} fraction of elements with the largest magnitude (TIES "trim"). */
        MAGNITUDE,
        /** Keep each element with probability {@code density} (DARE "drop"). */
        RANDOM
    }

    private final String configName;
    private final Sparsification sparsification;
    private final boolean signConsensus;
    private final boolean defaultNormalize;
    private final boolean defaultRescale;
    private final String reference;

    MergeMethod(String configName, Sparsification sparsification, boolean signConsensus, boolean defaultNormalize,
            boolean defaultRescale, String reference) {
        this.configName = configName;
        this.sparsification = sparsification;
        this.signConsensus = signConsensus;
        this.defaultNormalize = defaultNormalize;
        this.defaultRescale = defaultRescale;
        this.reference = reference;
    }

    /** The name used in {@code merge_method}. */
    public String configName() {
        return configName;
    }

    public Sparsification sparsification() {
        return sparsification;
    }

    /** True when a sign is elected per element (mergekit's "sum" consensus) and only agreeing models are merged. */
    public boolean signConsensus() {
        return signConsensus;
    }

    /** Default of the {@code normalize} parameter (mergekit's value for this method). */
    public boolean defaultNormalize() {
        return defaultNormalize;
    }

    /** Default of the {@code rescale} parameter. */
    public boolean defaultRescale() {
        return defaultRescale;
    }

    /** True for the methods that combine task vectors against a {@code base_model}; false for linear. */
    public boolean usesBase() {
        return this != LINEAR;
    }

    /** The paper the method comes from. */
    public String reference() {
        return reference;
    }

    /** The method named {@code name} in a configuration. */
    public static MergeMethod byConfigName(String name) {
        for (MergeMethod m : values()) {
            if (m.configName.equals(name)) {
                return m;
            }
        }
        throw new MergeException("unknown merge_method '" + name + "' (aloe merge supports "
                + Arrays.stream(values()).map(MergeMethod::configName).collect(Collectors.joining(", ")) + ")");
    }
}
