package org.aloe4j.server;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server's counters in Prometheus text exposition format (version 0.0.4), written by hand: requests by endpoint
 * and status, tokens, queue depth, forward passes, latencies (time to first token, request duration).
 */
final class ServerMetrics {
    private static final double[] BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300};

    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final LongAdder promptTokens = new LongAdder();
    private final LongAdder completionTokens = new LongAdder();
    private final LongAdder disconnects = new LongAdder();
    private final Map<String, Histogram> durations = new ConcurrentHashMap<>();
    private final Histogram firstToken = new Histogram();

    void request(String endpoint, int status) {
        requests.computeIfAbsent(endpoint + "\u0000" + status, k -> new LongAdder()).increment();
    }

    void tokens(int prompt, int completion) {
        promptTokens.add(prompt);
        completionTokens.add(completion);
    }

    void disconnect() {
        disconnects.increment();
    }

    void duration(String endpoint, double seconds) {
        durations.computeIfAbsent(endpoint, k -> new Histogram()).observe(seconds);
    }

    void timeToFirstToken(double seconds) {
        firstToken.observe(seconds);
    }

    String render(BackendStats b) {
        StringBuilder out = new StringBuilder(4096);
        header(out, "aloe_requests_total", "counter", "HTTP requests by endpoint and status code");
        requests.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            String[] k = e.getKey().split("\u0000");
            out.append("aloe_requests_total{endpoint=\"").append(k[0]).append("\",status=\"").append(k[1])
                    .append("\"} ").append(e.getValue().sum()).append('\n');
        });
        counter(out, "aloe_prompt_tokens_total", "prompt tokens of completed requests", promptTokens.sum());
        counter(out, "aloe_completion_tokens_total", "tokens generated for completed requests", completionTokens.sum());
        counter(out, "aloe_client_disconnects_total", "requests whose client went away before the end",
                disconnects.sum());
        gauge(out, "aloe_queue_depth", "sequences waiting for a generation slot", b.queued());
        gauge(out, "aloe_queue_capacity", "sequences that may wait", b.queueCapacity());
        gauge(out, "aloe_running_sequences", "sequences being generated", b.running());
        gauge(out, "aloe_parallel_sequences", "sequences that can be generated at once", b.parallel());
        counter(out, "aloe_forward_passes_total", "batched forward passes of the local engine", b.steps());
        counter(out, "aloe_batch_rows_total", "rows (prompt and decode tokens) over all forward passes", b.batchRows());
        counter(out, "aloe_engine_prompt_tokens_total", "prompt tokens processed by the engine", b.promptTokens());
        counter(out, "aloe_engine_generated_tokens_total", "tokens sampled by the engine", b.generatedTokens());
        counter(out, "aloe_cancelled_sequences_total", "sequences stopped before their end", b.cancelled());
        gauge(out, "aloe_kv_caches_allocated", "KV caches allocated since start", b.cachesAllocated());
        header(out, "aloe_request_duration_seconds", "histogram", "time from request to last byte, by endpoint");
        durations.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> e.getValue().render(out, "aloe_request_duration_seconds", "endpoint=\"" + e.getKey() + "\","));
        header(out, "aloe_time_to_first_token_seconds", "histogram", "time from request to the first generated text");
        firstToken.render(out, "aloe_time_to_first_token_seconds", "");
        return out.toString();
    }

    private static void header(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void counter(StringBuilder out, String name, String help, long value) {
        header(out, name, "counter", help);
        out.append(name).append(' ').append(value).append('\n');
    }

    private static void gauge(StringBuilder out, String name, String help, long value) {
        header(out, name, "gauge", help);
        out.append(name).append(' ').append(value).append('\n');
    }

    /** Cumulative buckets as Prometheus wants them; lock-free. */
    private static final class Histogram {
        private final AtomicLongArray counts = new AtomicLongArray(BUCKETS.length + 1);
        private final LongAdder sumMicros = new LongAdder();

        void observe(double seconds) {
            int i = 0;
            while (i < BUCKETS.length && seconds > BUCKETS[i]) {
                i++;
            }
            counts.incrementAndGet(i);
            sumMicros.add(Math.round(seconds * 1e6));
        }

        void render(StringBuilder out, String name, String labels) {
            long cumulative = 0;
            for (int i = 0; i <= BUCKETS.length; i++) {
                cumulative += counts.get(i);
                String le = i < BUCKETS.length ? String.format(Locale.ROOT, "%s", BUCKETS[i]) : "+Inf";
                out.append(name).append("_bucket{").append(labels).append("le=\"").append(le).append("\"} ")
                        .append(cumulative).append('\n');
            }
            String plain = labels.isEmpty() ? "" : "{" + labels.substring(0, labels.length() - 1) + "}";
            out.append(name).append("_sum").append(plain).append(' ')
                    .append(String.format(Locale.ROOT, "%.6f", sumMicros.sum() / 1e6)).append('\n');
            out.append(name).append("_count").append(plain).append(' ').append(cumulative).append('\n');
        }
    }
}
