package org.aloe4j.eval.data;

import java.util.Arrays;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** The benchmarks {@code aloe eval --bench} knows, with their command-line names and loaders. */
public enum Benchmark {
    MEDQA("medqa", "MedQA", MedQaLoader::new),
    MEDMCQA("medmcqa", "MedMCQA", MedMcqaLoader::new),
    PUBMEDQA("pubmedqa", "PubMedQA", PubMedQaLoader::new),
    MMLU_MEDICAL("mmlu-medical", "MMLU-medical", MmluLoader::new),
    CAREQA("careqa", "CareQA", CareQaLoader::new),
    JSONL("jsonl", "JSONL", JsonlLoader::new);

    private final String cliName;
    private final String displayName;
    private final Supplier<BenchmarkLoader> loader;

    Benchmark(String cliName, String displayName, Supplier<BenchmarkLoader> loader) {
        this.cliName = cliName;
        this.displayName = displayName;
        this.loader = loader;
    }

    public String cliName() {
        return cliName;
    }

    public String displayName() {
        return displayName;
    }

    public BenchmarkLoader loader() {
        return loader.get();
    }

    public static Benchmark fromCliName(String name) {
        for (Benchmark b : values()) {
            if (b.cliName.equalsIgnoreCase(name)) {
                return b;
            }
        }
        throw new IllegalArgumentException("unknown benchmark '" + name + "'; one of "
                + Arrays.stream(values()).map(Benchmark::cliName).collect(Collectors.joining(", ")));
    }
}
