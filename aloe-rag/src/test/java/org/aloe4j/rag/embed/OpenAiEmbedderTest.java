package org.aloe4j.rag.embed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.aloe4j.rag.RagException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link OpenAiEmbedder} against a small /v1/embeddings server on loopback. */
class OpenAiEmbedderTest {

    HttpServer server;
    final List<JsonNode> requests = new ArrayList<>();
    final AtomicReference<String> authorization = new AtomicReference<>();
    final AtomicInteger status = new AtomicInteger(200);
    String base;

    @BeforeEach
    void start() throws Exception {
        ObjectMapper json = new ObjectMapper();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/embeddings", exchange -> {
            JsonNode request = json.readTree(exchange.getRequestBody());
            synchronized (requests) {
                requests.add(request);
            }
            authorization.set(exchange.getRequestHeaders().getFirst("Authorization"));
            // embedding of text t = [length of t, 1, 0]; items sent back in reverse order to check the reordering
            StringBuilder data = new StringBuilder();
            JsonNode input = request.get("input");
            for (int i = input.size() - 1; i >= 0; i--) {
                if (!data.isEmpty()) {
                    data.append(',');
                }
                data.append("{\"object\":\"embedding\",\"index\":").append(i).append(",\"embedding\":[")
                        .append(input.get(i).asText().length()).append(",1,0]}");
            }
            byte[] body = (status.get() == 200 ? "{\"object\":\"list\",\"data\":[" + data + "]}"
                    : "{\"error\": {\"message\": \"model not loaded\"}}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status.get(), body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void batchesAreSentWithModelAndKeyAndComeBackInInputOrderNormalized() {
        OpenAiEmbedder e = new OpenAiEmbedder(base + "/v1/", "bge-m3", "sk-test", 0, "", 2,
                java.time.Duration.ofSeconds(10));
        assertEquals(3, e.dimension()); // discovered by a probe request
        List<int[]> progress = new ArrayList<>();
        float[][] v = e.embed(List.of("a", "bbb", "cccc"), (done, total) -> progress.add(new int[] {done, total}));
        assertEquals(3, requests.size(), "a probe, then batches of 2 and 1");
        assertEquals("bge-m3", requests.get(1).get("model").asText());
        assertEquals(List.of("a", "bbb"), List.of(requests.get(1).get("input").get(0).asText(),
                requests.get(1).get("input").get(1).asText()));
        assertEquals("Bearer sk-test", authorization.get());
        assertArrayEquals(Vectors.normalized(new float[] {1, 1, 0}), v[0], 1e-7f);
        assertArrayEquals(Vectors.normalized(new float[] {3, 1, 0}), v[1], 1e-7f);
        assertArrayEquals(Vectors.normalized(new float[] {4, 1, 0}), v[2], 1e-7f);
        assertEquals(2, progress.size());
        assertArrayEquals(new int[] {3, 3}, progress.get(1));
        assertEquals("openai:bge-m3", e.name());
    }

    @Test
    void serverErrorsAndBadAddressesAreOneLine() {
        status.set(503);
        OpenAiEmbedder e = new OpenAiEmbedder(base, "m", null, 3, "");
        RagException ex = assertThrows(RagException.class, () -> e.embed(List.of("x")));
        assertEquals("embedding server " + base + "/v1/embeddings answered HTTP 503: {\"error\": {\"message\": "
                + "\"model not loaded\"}}", ex.getMessage());
        assertEquals(null, authorization.get(), "no key, no Authorization header");

        status.set(200);
        OpenAiEmbedder wrongDim = new OpenAiEmbedder(base, "m", null, 5, "");
        assertEquals("embedding server " + base + "/v1/embeddings sent a vector of 3 values, expected 5",
                assertThrows(RagException.class, () -> wrongDim.embed(List.of("x"))).getMessage());

        assertEquals("not an http(s) address for an embedding server: localhost:8080",
                assertThrows(RagException.class, () -> new OpenAiEmbedder("localhost:8080", "m", null, 0, ""))
                        .getMessage());
        server.stop(0);
        RagException down = assertThrows(RagException.class, () -> e.embed(List.of("x")));
        assertTrue(down.getMessage().startsWith("embedding server " + base + "/v1/embeddings unreachable"),
                down.getMessage());
    }

    @Test
    void endpointForms() {
        assertEquals("http://h:1/v1/embeddings", OpenAiEmbedder.endpoint("http://h:1").toString());
        assertEquals("http://h:1/v1/embeddings", OpenAiEmbedder.endpoint("http://h:1/v1").toString());
        assertEquals("https://h/api/embeddings", OpenAiEmbedder.endpoint("https://h/api/embeddings/").toString());
    }
}
