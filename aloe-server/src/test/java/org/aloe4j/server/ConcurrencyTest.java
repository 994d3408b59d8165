package org.aloe4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Many streaming clients at once, and clients that go away. */
class ConcurrencyTest {

    private static String body(int i, int maxTokens, boolean stream) {
        return "{\"model\":\"" + TestServers.MODEL + "\",\"stream\":" + stream + ",\"stream_options\":"
                + (stream ? "{\"include_usage\":true}" : "null") + ",\"max_tokens\":" + maxTokens
                + ",\"seed\":" + i + ",\"messages\":[{\"role\":\"user\",\"content\":\"Patient " + i
                + " reports chest pain on exertion. What next?\"}]}";
    }

    private static HttpRequest request(String body) {
        return HttpRequest.newBuilder(URI.create(TestServers.shared().baseUrl() + "/chat/completions"))
                .timeout(Duration.ofSeconds(120))
                .header("Authorization", "Bearer " + TestServers.KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    /** One streamed answer: its text, chunk count and usage, checked for the SSE framing. */
    private record Streamed(String text, int chunks, JsonNode usage, String finish) {}

    private static Streamed stream(int i, int maxTokens) throws Exception {
        HttpResponse<InputStream> r = Http.CLIENT.send(request(body(i, maxTokens, true)),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        StringBuilder text = new StringBuilder();
        int chunks = 0;
        JsonNode usage = null;
        String finish = null;
        boolean done = false;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isEmpty() || line.startsWith(":")) {
                    continue;
                }
                assertTrue(line.startsWith("data: "), line);
                String data = line.substring(6);
                if (data.equals("[DONE]")) {
                    done = true;
                    continue;
                }
                JsonNode chunk = Http.JSON.readTree(data);
                assertTrue(!chunk.has("error"), data);
                chunks++;
                if (chunk.hasNonNull("usage")) {
                    usage = chunk.get("usage");
                }
                for (JsonNode c : chunk.get("choices")) {
                    text.append(c.path("delta").path("content").asText(""));
                    if (c.hasNonNull("finish_reason")) {
                        finish = c.get("finish_reason").asText();
                    }
                }
            }
        }
        assertTrue(done, "the stream ends with [DONE]");
        return new Streamed(text.toString(), chunks, usage, finish);
    }

    @Test
    void thirtyTwoStreamingClientsAllComplete() throws Exception {
        TestServers.shared();
        long before = TestServers.sharedBackend().stats().steps();
        int clients = 32;
        int maxTokens = 16;
        long start = System.nanoTime();
        List<Future<Streamed>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < clients; i++) {
                int n = i;
                results.add(pool.submit(() -> stream(n, maxTokens)));
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        int errors = 0;
        int tokens = 0;
        for (int i = 0; i < clients; i++) {
            try {
                Streamed s = results.get(i).get();
                assertEquals("length", s.finish());
                assertEquals(maxTokens, s.usage().get("completion_tokens").asInt());
                assertTrue(s.chunks() >= 3);
                tokens += s.usage().get("completion_tokens").asInt();
            } catch (Exception | AssertionError e) {
                errors++;
                e.printStackTrace();
            }
        }
        long steps = TestServers.sharedBackend().stats().steps() - before;
        System.out.printf("32 streaming clients: %d tokens in %.2f s (%.0f tokens/s), %d forward passes, %d errors%n",
                tokens, seconds, tokens / seconds, steps, errors);
        assertEquals(0, errors);
        // 512 tokens over 8 slots: at most a few more passes than 512 / 8 decode steps plus prompt steps
        assertTrue(steps < 512 / 2, "forward passes shared: " + steps);
    }

    @Test
    void aStreamingClientThatLeavesCancelsItsSequence() throws Exception {
        BatchingBackend backend = TestServers.sharedBackend();
        long cancelled = backend.stats().cancelled();
        HttpResponse<InputStream> r = Http.CLIENT.send(request(body(1, 3000, true)),
                HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            byte[] first = new byte[200];
            assertTrue(in.read(first) > 0);
        } // closing the body closes the connection
        awaitCancelled(backend, cancelled + 1);
    }

    @Test
    void aWaitingClientThatLeavesCancelsItsSequence() throws Exception {
        BatchingBackend backend = TestServers.sharedBackend();
        long cancelled = backend.stats().cancelled();
        // a non-streamed request writes nothing until the end: the server notices the closed socket by reading it
        var future = Http.CLIENT.sendAsync(request(body(2, 3000, false)), HttpResponse.BodyHandlers.ofString());
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (backend.stats().running() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        future.cancel(true); // the JDK client aborts the exchange and closes its connection
        awaitCancelled(backend, cancelled + 1);
    }

    private static void awaitCancelled(BatchingBackend backend, long expected) throws InterruptedException {
        long start = System.nanoTime();
        while (backend.stats().cancelled() < expected && System.nanoTime() - start < 5_000_000_000L) {
            Thread.sleep(5);
        }
        double ms = (System.nanoTime() - start) / 1e6;
        // the cancelled count grows only when a sequence is dropped before it finishes; how soon after the client
        // left depends on the machine's load, so the latency is printed, not asserted (no timed tests)
        assertEquals(expected, backend.stats().cancelled(), "cancelled within 5 s");
        System.out.printf("client departure noticed and the sequence cancelled in %.0f ms%n", ms);
        while (backend.stats().running() > 0 && System.nanoTime() - start < 5_000_000_000L) {
            Thread.sleep(5);
        }
        assertEquals(0, backend.stats().running());
    }
}
