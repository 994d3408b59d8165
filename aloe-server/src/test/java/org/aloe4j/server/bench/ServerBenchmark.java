package org.aloe4j.server.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.aloe4j.formats.gguf.GGMLType;
import org.aloe4j.generation.LocalModel;
import org.aloe4j.model.KVCache;
import org.aloe4j.model.Transformer;
import org.aloe4j.server.AloeServer;
import org.aloe4j.server.BatchingBackend;
import org.aloe4j.server.ServerOptions;

/**
 * Load benchmark of {@code aloe serve} (not a test): aggregate generated tokens/s of N concurrent streaming
 * clients against one client alone, on the same model and server, through HTTP and SSE like real clients.
 *
 * <pre>
 * ServerBenchmark --model FILE.gguf [--parallel 8] [--tokens 64] [--rounds 3]
 * ServerBenchmark --synthetic F16,2048,5632,8,16,2 [...]   (type,dim,ffn,layers,heads,kvHeads; written to /tmp)
 * </pre>
 * Rounds alternate one stream and N streams (the machine is shared: alternating spreads other load over both);
 * the medians are reported, after one uncounted full-length round of each. Every request generates exactly
 * {@code --tokens} tokens (stop tokens get logit_bias -100), so N sequences really share each decode step.
 */
public final class ServerBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    public static void main(String[] args) throws Exception {
        Path model = null;
        String synthetic = null;
        Path template = Path.of(System.getProperty("aloe.fixtures", "../shared/fixtures"), "models/tiny-qwen2.F32.gguf");
        int parallel = 8;
        int tokens = 64;
        int rounds = 3;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--model" -> model = Path.of(args[++i]);
                case "--synthetic" -> synthetic = args[++i];
                case "--template" -> template = Path.of(args[++i]);
                case "--parallel" -> parallel = Integer.parseInt(args[++i]);
                case "--tokens" -> tokens = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Path generated = null;
        if (synthetic != null) {
            String[] p = synthetic.split(",");
            generated = Files.createTempFile("aloe-bench-", ".gguf");
            long t0 = System.nanoTime();
            SyntheticModel.write(template, generated, GGMLType.valueOf(p[0]), Integer.parseInt(p[1]),
                    Integer.parseInt(p[2]), Integer.parseInt(p[3]), Integer.parseInt(p[4]), Integer.parseInt(p[5]));
            System.out.printf(Locale.ROOT, "wrote %s (%d MB) in %.1f s%n", synthetic, Files.size(generated) >> 20,
                    (System.nanoTime() - t0) / 1e9);
            model = generated;
        }
        if (model == null) {
            throw new IllegalArgumentException("give --model FILE or --synthetic TYPE,dim,ffn,layers,heads,kvHeads");
        }
        try {
            run(model, parallel, tokens, rounds);
        } finally {
            if (generated != null) {
                Files.deleteIfExists(generated);
            }
        }
    }

    private static void run(Path model, int parallel, int tokens, int rounds) throws Exception {
        LocalModel m = LocalModel.open(model);
        engineCeiling(m, parallel, 0);
        engineCeiling(m, parallel, tokens / 2); // about the run's mean position: attention reads that many cache rows
        String id = "bench";
        String chat = m.formatter() != null ? "chat" : null;
        // every request generates exactly --tokens tokens: a stop token sampled early (likely on a random synthetic
        // model) would end a stream and leave fewer than `parallel` sequences in the batch, measuring something else
        String bias = noStopBias(m.stopTokenIds());
        BatchingBackend backend = new BatchingBackend(m, id, new BatchingBackend.Options(parallel, 4 * parallel, 512));
        try (AloeServer server = AloeServer.start(backend, ServerOptions.defaults(0))) {
            System.out.printf(Locale.ROOT, "model %s (%s), %d parallel, %d tokens per request, %d cores%n",
                    model.getFileName(), m.name(), parallel, tokens, Runtime.getRuntime().availableProcessors());
            // warm-up, not counted: one round of each kind at full length (JIT of the batched and concurrent
            // paths, caches); without it the first 8-stream round measured 20-30% below the later ones
            run(server, chat, bias, 1, tokens, rounds);
            run(server, chat, bias, parallel, tokens, rounds);
            double[] one = new double[rounds];
            double[] many = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                one[r] = run(server, chat, bias, 1, tokens, r);
                many[r] = run(server, chat, bias, parallel, tokens, r);
                System.out.printf(Locale.ROOT, "round %d: 1 stream %.2f tok/s, %d streams %.2f tok/s (x%.2f)%n",
                        r + 1, one[r], parallel, many[r], many[r] / one[r]);
            }
            double a = median(one);
            double b = median(many);
            var s = backend.stats();
            System.out.printf(Locale.ROOT, "median: 1 stream %.2f tok/s, %d streams %.2f tok/s aggregate, ratio %.2f"
                    + " (%d forward passes, %.1f rows per pass)%n", a, parallel, b, b / a, s.steps(),
                    (double) s.batchRows() / s.steps());
        }
    }

    /**
     * What the engine alone allows: one forward pass of {@code parallel} decode rows (one per sequence, each with its
     * own cache) against one pass of a single row, at positions {@code firstPosition ..} (attention grows with them);
     * {@code parallel x t(1) / t(parallel)} is the most any batching scheduler can gain on this model and machine,
     * before sampling and HTTP.
     */
    private static void engineCeiling(LocalModel m, int parallel, int firstPosition) {
        Transformer t = m.transformer();
        int vocab = t.config().vocabSize();
        KVCache[] caches = new KVCache[parallel];
        for (int i = 0; i < parallel; i++) {
            caches[i] = t.newCache(firstPosition + 64);
        }
        float[] logits = new float[parallel * vocab];
        double[] one = new double[15];
        double[] many = new double[15];
        for (int it = -5; it < one.length; it++) { // 5 warm-up passes
            int pos = firstPosition + (it + 5) % 60;
            long a = System.nanoTime();
            t.forward(1, new int[] {1}, new int[] {pos}, new KVCache[] {caches[0]}, new boolean[] {true}, logits);
            long b = System.nanoTime();
            int[] tokens = new int[parallel];
            int[] positions = new int[parallel];
            boolean[] want = new boolean[parallel];
            Arrays.fill(tokens, 1);
            Arrays.fill(positions, pos);
            Arrays.fill(want, true);
            t.forward(parallel, tokens, positions, caches, want, logits);
            long c = System.nanoTime();
            if (it >= 0) {
                one[it] = (b - a) / 1e6;
                many[it] = (c - b) / 1e6;
            }
        }
        double t1 = median(one);
        double tn = median(many);
        System.out.printf(Locale.ROOT, "engine at positions %d-%d: forward of 1 row %.2f ms, of %d rows %.2f ms:"
                + " ceiling x%.2f%n", firstPosition, firstPosition + 59, t1, parallel, tn, parallel * t1 / tn);
    }

    /** OpenAI's logit_bias that keeps every stop token from being sampled. */
    static String noStopBias(int[] stopTokens) {
        StringBuilder b = new StringBuilder("{");
        for (int id : stopTokens) {
            b.append(b.length() > 1 ? "," : "").append('"').append(id).append("\":-100");
        }
        return b.append('}').toString();
    }

    /** Aggregate generated tokens per second of {@code clients} concurrent streaming requests. */
    private static double run(AloeServer server, String chat, String bias, int clients, int tokens, int round)
            throws Exception {
        long start = System.nanoTime();
        List<Future<Integer>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < clients; c++) {
                int seed = round * 1000 + c;
                results.add(pool.submit(() -> stream(server, chat, bias, tokens, seed)));
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        int total = 0;
        for (Future<Integer> f : results) {
            total += f.get();
        }
        return total / seconds;
    }

    private static int stream(AloeServer server, String chat, String bias, int tokens, int seed) throws Exception {
        String common = "{\"stream\":true,\"stream_options\":{\"include_usage\":true},\"max_tokens\":" + tokens
                + ",\"logit_bias\":" + bias + ",\"seed\":" + seed;
        String body = chat != null
                ? common + ",\"messages\":[{\"role\":\"user\",\"content\":\"Question " + seed
                        + ": what causes anaemia?\"}]}"
                : common + ",\"prompt\":[" + (seed % 900 + 1) + ",5,6,7,8,9,10,11]}";
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.baseUrl() + (chat != null
                        ? "/chat/completions" : "/completions")))
                .timeout(Duration.ofMinutes(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<InputStream> r = HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("HTTP " + r.statusCode() + ": " + new String(r.body().readAllBytes()));
        }
        int generated = -1;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                // only the chunks that matter are parsed: on this machine the clients share the server's cores,
                // which clients on other machines would not (a JSON parse per token cost the server ~0.1 ms a step)
                if (line.startsWith("data: {") && (line.contains("\"usage\":{") || line.contains("\"error\""))) {
                    JsonNode chunk = JSON.readTree(line.substring(6));
                    if (chunk.has("error")) {
                        throw new IllegalStateException(line);
                    }
                    if (chunk.hasNonNull("usage")) {
                        generated = chunk.get("usage").get("completion_tokens").asInt();
                    }
                }
            }
        }
        if (generated < 0) {
            throw new IllegalStateException("no usage in the stream");
        }
        if (generated != tokens) {
            throw new IllegalStateException("a stream generated " + generated + " of " + tokens + " tokens");
        }
        return generated;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
