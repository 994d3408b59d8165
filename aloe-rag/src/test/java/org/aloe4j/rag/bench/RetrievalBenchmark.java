package org.aloe4j.rag.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.aloe4j.rag.embed.BgeSmallEmbedder;
import org.aloe4j.rag.embed.Vectors;
import org.aloe4j.rag.medprompt.Example;
import org.aloe4j.rag.medprompt.KnowledgeBase;
import org.aloe4j.rag.store.LuceneStore;
import org.aloe4j.rag.store.SearchHit;
import org.aloe4j.rag.store.StoredDocument;

/**
 * Retrieval figures for docs/performance.md (not a test: run by {@code aloe-rag/bench/retrieval-benchmark.sh}).
 *
 * <ol>
 *   <li>Vector-only insert: N (default 200,000, HPAI's knowledge base has 192,084) random unit vectors of dimension
 *       384 (bge-small's), each with a ~60-word text and Medprompt-like stored fields, into a {@link LuceneStore}
 *       committing every 10,000. Random vectors keep the build time sane (no embedding) and are the hard case for
 *       HNSW (no cluster structure).</li>
 *   <li>kNN query time (k = 5) at that size: median / p90 / p99 over 2,000 random queries after 500 warm-up ones,
 *       as built (several segments) and after a merge into one segment; recall@5 against brute-force cosine on 100
 *       queries.</li>
 *   <li>Knowledge-base build with real bge-small embeddings: MedQA (long vignettes) and MedMCQA (short) questions
 *       from the shared fixtures, embedded and stored, examples/s, with 1 and 2 embedding threads.</li>
 * </ol>
 */
public final class RetrievalBenchmark {

    static final int DIMENSION = 384;

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        Path work = Files.createTempDirectory("aloe-retrieval-bench");
        Path fixtures = Path.of(args.length > 1 ? args[1] : "../shared/fixtures").toAbsolutePath().normalize();
        System.out.printf("machine: %d cores, max heap %d MB, %s%n", Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20, System.getProperty("java.vm.version"));
        try {
            vectorStore(work.resolve("uniform"), n, UNIFORM);
            vectorStore(work.resolve("low-rank"), n, lowRank(32));
            knowledgeBaseWithBge(work.resolve("kb"), fixtures);
        } finally {
            deleteTree(work);
        }
    }

    /**
     * Where the vectors come from. "uniform": random directions, the case the brief names (cheap to make, and the
     * worst case for HNSW: no structure, every point nearly equidistant). "low-rank": a fixed random 384 x 32
     * projection of a 32-dimensional Gaussian plus isotropic noise (signal-to-noise 3:1 in norm), a stand-in with
     * the low intrinsic dimension that real sentence embeddings have; fresh samples of it play new questions.
     */
    interface Dataset {
        String name();

        float[] sample(Random rng);
    }

    static final Dataset UNIFORM = new Dataset() {
        public String name() {
            return "uniform";
        }

        public float[] sample(Random rng) {
            return randomUnit(rng);
        }
    };

    static Dataset lowRank(int latent) {
        Random r = new Random(99);
        float[][] projection = new float[DIMENSION][latent];
        for (float[] row : projection) {
            for (int j = 0; j < latent; j++) {
                row[j] = (float) (r.nextGaussian() / Math.sqrt(latent));
            }
        }
        return new Dataset() {
            public String name() {
                return "low-rank";
            }

            public float[] sample(Random rng) {
                float[] z = new float[latent];
                for (int j = 0; j < latent; j++) {
                    z[j] = (float) rng.nextGaussian();
                }
                float[] v = new float[DIMENSION];
                double noise = Math.sqrt(latent) / 3 / Math.sqrt(DIMENSION);
                for (int i = 0; i < DIMENSION; i++) {
                    double x = 0;
                    for (int j = 0; j < latent; j++) {
                        x += projection[i][j] * z[j];
                    }
                    v[i] = (float) (x + noise * rng.nextGaussian());
                }
                return Vectors.normalized(v);
            }
        };
    }

    static void vectorStore(Path dir, int n, Dataset data) {
        Random rng = new Random(42);
        float[][] vectors = new float[n][];
        for (int i = 0; i < n; i++) {
            vectors[i] = data.sample(rng);
        }
        System.out.println("-- dataset " + data.name());
        String filler = "a patient presents with a history of symptoms and the examiner asks which of the following "
                + "is the most likely diagnosis given the findings described in the vignette above ";
        long t0 = System.nanoTime();
        try (LuceneStore store = LuceneStore.open(dir, DIMENSION)) {
            List<StoredDocument> batch = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                batch.add(new StoredDocument("ex" + i, "Question " + i + ": " + filler + filler, vectors[i],
                        Map.of("options", "{\"A\":\"one\",\"B\":\"two\",\"C\":\"three\",\"D\":\"four\"}",
                                "reasoning", "Step by step reasoning for example " + i + ". Answer: [A]",
                                "answer", "A")));
                if (batch.size() == 1000) {
                    store.add(batch);
                    batch.clear();
                }
            }
            store.add(batch);
            store.commit();
            double buildSeconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("vector-only insert: %,d documents (dim %d, %s) in %.1f s = %,.0f documents/s "
                    + "(commit every 10,000)%n", n, DIMENSION, data.name(), buildSeconds, n / buildSeconds);
            System.out.printf("index size on disk: %.0f MB%n", sizeOf(dir) / 1e6);

            queries(store, vectors, data, "as built");
            long m0 = System.nanoTime();
            store.forceMerge();
            store.commit();
            System.out.printf("merge into one segment: %.1f s%n", (System.nanoTime() - m0) / 1e9);
            queries(store, vectors, data, "one segment");
        }
    }

    /**
     * Query time and recall@5 for two query kinds: random directions (the worst case: in 384 dimensions every stored
     * vector is at nearly the same distance from them, cosines about 0 +- 0.05), and near duplicates of stored
     * vectors (stored vector + noise, cosine about 0.8 to it), which is what a test question close to solved
     * examples looks like.
     */
    static void queries(LuceneStore store, float[][] vectors, Dataset data, String label) {
        for (int breadth : new int[] {64, 128, 256}) {
            for (String kind : List.of("fresh", "near-duplicate")) {
                Random rng = new Random(7);
                for (int i = 0; i < 500; i++) {
                    store.nearest(query(kind, rng, vectors, data), 5, breadth);
                }
                long[] times = new long[2000];
                for (int i = 0; i < times.length; i++) {
                    float[] q = query(kind, rng, vectors, data);
                    long t = System.nanoTime();
                    store.nearest(q, 5, breadth);
                    times[i] = System.nanoTime() - t;
                }
                Arrays.sort(times);
                int hits = 0;
                int total = 0;
                int sourceFound = 0;
                for (int i = 0; i < 100; i++) {
                    Random pick = new Random(1000 + i);
                    int source = pick.nextInt(vectors.length);
                    float[] q = kind.equals("fresh") ? data.sample(pick) : nearDuplicate(vectors[source], pick);
                    List<String> exact = bruteForce(vectors, q, 5);
                    List<String> found = store.nearest(q, 5, breadth).stream().map(SearchHit::id).toList();
                    for (String id : found) {
                        if (exact.contains(id)) {
                            hits++;
                        }
                    }
                    total += 5;
                    if (found.contains("ex" + source)) {
                        sourceFound++;
                    }
                }
                System.out.printf("kNN k=5 at %,d %s (%s), breadth %d, %s queries: median %.2f ms, p90 %.2f ms, "
                                + "p99 %.2f ms (2,000 queries); recall@5 vs brute force %.3f%s (100 queries)%n",
                        vectors.length, data.name(), label, breadth, kind, times[times.length / 2] / 1e6,
                        times[times.length * 9 / 10] / 1e6, times[times.length * 99 / 100] / 1e6,
                        (double) hits / total, kind.equals("fresh") ? ""
                                : String.format(", source vector in top 5: %.2f", sourceFound / 100.0));
            }
        }
    }

    static float[] query(String kind, Random rng, float[][] vectors, Dataset data) {
        if (kind.equals("fresh")) {
            return data.sample(rng);
        }
        return nearDuplicate(vectors[rng.nextInt(vectors.length)], rng);
    }

    /** {@code base} plus noise of length 0.75: cosine about 0.8 to {@code base}. */
    static float[] nearDuplicate(float[] base, Random rng) {
        float[] noise = randomUnit(rng);
        float[] q = new float[DIMENSION];
        for (int i = 0; i < DIMENSION; i++) {
            q[i] = base[i] + 0.75f * noise[i];
        }
        return Vectors.normalized(q);
    }

    static List<String> bruteForce(float[][] vectors, float[] q, int k) {
        Integer[] idx = new Integer[vectors.length];
        double[] score = new double[vectors.length];
        for (int i = 0; i < vectors.length; i++) {
            idx[i] = i;
            score[i] = Vectors.dot(vectors[i], q);
        }
        Arrays.sort(idx, Comparator.comparingDouble((Integer i) -> score[i]).reversed());
        List<String> out = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            out.add("ex" + idx[i]);
        }
        return out;
    }

    static void knowledgeBaseWithBge(Path dir, Path fixtures) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<Example> medqa = new ArrayList<>();
        List<Example> medmcqa = new ArrayList<>();
        Path medqaFile = fixtures.resolve("medqa/medqa/phrases_no_exclude_test.first30.jsonl");
        Path medmcqaFile = fixtures.resolve("medqa/medmcqa/dev.first30.json");
        if (!Files.exists(medqaFile) || !Files.exists(medmcqaFile)) {
            System.out.println("bge knowledge-base build: skipped, fixtures not found under " + fixtures);
            return;
        }
        for (String line : Files.readAllLines(medqaFile)) {
            JsonNode n = json.readTree(line);
            LinkedHashMap<String, String> options = new LinkedHashMap<>();
            n.get("options").properties().forEach(e -> options.put(e.getKey(), e.getValue().asText()));
            medqa.add(new Example("medqa" + medqa.size(), n.get("question").asText(), options, "reasoning",
                    n.get("answer_idx").asText()));
        }
        for (String line : Files.readAllLines(medmcqaFile)) {
            JsonNode n = json.readTree(line);
            LinkedHashMap<String, String> options = new LinkedHashMap<>();
            options.put("A", n.get("opa").asText());
            options.put("B", n.get("opb").asText());
            options.put("C", n.get("opc").asText());
            options.put("D", n.get("opd").asText());
            medmcqa.add(new Example("medmcqa" + medmcqa.size(), n.get("question").asText(), options, "reasoning",
                    String.valueOf((char) ('A' + n.get("cop").asInt() - 1))));
        }
        System.out.printf("question lengths: MedQA mean %.0f words, MedMCQA mean %.0f words%n", meanWords(medqa),
                meanWords(medmcqa));
        for (int threads : new int[] {1, 2}) {
            try (BgeSmallEmbedder embedder = new BgeSmallEmbedder(threads, 32)) {
                embedder.embed(List.of("warm-up text for the onnx session"));
                for (var set : List.of(Map.entry("MedQA", medqa), Map.entry("MedMCQA", medmcqa))) {
                    Path d = dir.resolve(set.getKey() + threads);
                    List<Example> all = new ArrayList<>();
                    for (int rep = 0; rep < 10; rep++) {
                        for (Example e : set.getValue()) {
                            all.add(new Example(e.id() + "-" + rep, e.question(), e.options(), e.reasoning(), e.answer()));
                        }
                    }
                    long t0 = System.nanoTime();
                    try (KnowledgeBase kb = new KnowledgeBase(LuceneStore.open(d, DIMENSION), embedder)) {
                        kb.add(all);
                        kb.commit();
                    }
                    double s = (System.nanoTime() - t0) / 1e9;
                    System.out.printf("knowledge-base build with bge-small, %d thread(s), %s questions: %d examples "
                            + "in %.1f s = %.1f examples/s%n", threads, set.getKey(), all.size(), s, all.size() / s);
                }
            }
        }
    }

    static double meanWords(List<Example> examples) {
        return examples.stream().mapToInt(e -> e.question().split("\\s+").length).average().orElse(0);
    }

    static float[] randomUnit(Random rng) {
        float[] v = new float[DIMENSION];
        for (int i = 0; i < DIMENSION; i++) {
            v[i] = (float) rng.nextGaussian();
        }
        return Vectors.normalized(v);
    }

    static long sizeOf(Path dir) throws RuntimeException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
