package org.aloe4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * Each malformed or refused request gets OpenAI's error JSON ({@code {"error":{message,type,param,code}}}) with the
 * right status, and the server goes on serving: a good request follows every bad one.
 */
class ErrorsTest {
    private static final String GOOD = "{\"model\":\"" + TestServers.MODEL + "\",\"messages\":[{\"role\":\"user\","
            + "\"content\":\"Is ibuprofen safe in pregnancy?\"}],\"max_tokens\":3}";

    private static void assertError(Http.Reply r, int status, String type, String param, String code) throws Exception {
        assertEquals(status, r.status(), r.body());
        assertTrue(r.raw().headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        JsonNode e = r.error();
        assertTrue(e.get("message").isTextual() && !e.get("message").asText().isEmpty(), r.body());
        assertEquals(type, e.get("type").asText());
        assertEquals(param, e.get("param").isNull() ? null : e.get("param").asText(), r.body());
        assertEquals(code, e.get("code").isNull() ? null : e.get("code").asText(), r.body());
        stillServes();
    }

    private static void stillServes() throws Exception {
        Http.Reply ok = Http.post(TestServers.shared(), "/v1/chat/completions", GOOD, TestServers.KEY);
        assertEquals(200, ok.status(), ok.body());
        assertEquals(3, ok.json().get("usage").get("completion_tokens").asInt());
    }

    private static Http.Reply chat(String body) throws Exception {
        return Http.post(TestServers.shared(), "/v1/chat/completions", body, TestServers.KEY);
    }

    @Test
    void malformedJson() throws Exception {
        assertError(chat("{\"model\": \"" + TestServers.MODEL + "\", \"messages\": [}"), 400, "invalid_request_error",
                null, null);
        assertError(chat(""), 400, "invalid_request_error", null, null);
        assertError(chat("[1, 2]"), 400, "invalid_request_error", null, null);
    }

    @Test
    void unknownModel() throws Exception {
        Http.Reply r = chat(GOOD.replace(TestServers.MODEL, "gpt-5"));
        assertError(r, 404, "invalid_request_error", "model", "model_not_found");
        assertTrue(r.error().get("message").asText().contains("gpt-5"));
        assertError(Http.get(TestServers.shared(), "/v1/models/gpt-5", TestServers.KEY), 404, "invalid_request_error",
                "model", "model_not_found");
    }

    @Test
    void negativeAndExcessiveMaxTokens() throws Exception {
        Http.Reply r = chat(GOOD.replace("\"max_tokens\":3", "\"max_tokens\":-5"));
        assertError(r, 400, "invalid_request_error", "max_tokens", "integer_below_min_value");
        assertTrue(r.error().get("message").asText().contains("-5"));
        assertError(chat(GOOD.replace("\"max_tokens\":3", "\"max_completion_tokens\":0")), 400,
                "invalid_request_error", "max_completion_tokens", "integer_below_min_value");
        assertError(chat(GOOD.replace("\"max_tokens\":3", "\"max_tokens\":100000")), 400, "invalid_request_error",
                "max_tokens", "integer_above_max_value");
    }

    @Test
    void wrongTypesAndValues() throws Exception {
        assertError(chat(GOOD.replace("\"max_tokens\":3", "\"temperature\":\"hot\"")), 400, "invalid_request_error",
                "temperature", "invalid_type");
        assertError(chat("{\"model\":\"" + TestServers.MODEL + "\"}"), 400, "invalid_request_error", "messages",
                "missing_required_parameter");
        assertError(chat("{\"messages\":[]}"), 400, "invalid_request_error", "messages", "empty_array");
        assertError(chat("{\"messages\":[{\"role\":\"doctor\",\"content\":\"hi\"}]}"), 400, "invalid_request_error",
                "messages[0].role", "invalid_value");
        assertError(chat(GOOD.replace("\"max_tokens\":3", "\"top_logprobs\":3")), 400, "invalid_request_error",
                "top_logprobs", null);
        assertError(chat(GOOD.replace("\"max_tokens\":3", "\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]")), 400,
                "invalid_request_error", "stop", "array_above_max_length");
        assertError(chat(GOOD.replace("\"max_tokens\":3",
                "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}]")), 400, "invalid_request_error",
                "tools", "unsupported_parameter");
        assertError(chat(GOOD.replace("\"max_tokens\":3", "\"n\":17")), 400, "invalid_request_error", "n",
                "integer_above_max_value");
        assertError(Http.post(TestServers.shared(), "/v1/completions", "{\"prompt\":\"x\",\"echo\":true}",
                TestServers.KEY), 400, "invalid_request_error", "echo", "unsupported_parameter");
    }

    @Test
    void oversizedBody() throws Exception {
        String padding = "x".repeat((int) TestServers.MAX_BODY);
        Http.Reply r = chat(GOOD.replace("Is ibuprofen", padding + " Is ibuprofen"));
        assertError(r, 413, "invalid_request_error", null, "request_too_large");
    }

    @Test
    void missingOrWrongKey() throws Exception {
        AloeServer s = TestServers.shared();
        Http.Reply missing = Http.post(s, "/v1/chat/completions", GOOD, null);
        assertError(missing, 401, "invalid_request_error", null, null);
        assertTrue(missing.error().get("message").asText().contains("Bearer"));
        assertError(Http.post(s, "/v1/chat/completions", GOOD, "sk-wrong"), 401, "invalid_request_error", null,
                "invalid_api_key");
        assertError(Http.get(s, "/v1/models", null), 401, "invalid_request_error", null, null);
        assertError(Http.get(s, "/metrics", "nope"), 401, "invalid_request_error", null, "invalid_api_key");
        // the page and the health check need no key (the page asks for it)
        assertEquals(200, Http.get(s, "/health", null).status());
        assertEquals(200, Http.get(s, "/", null).status());
    }

    @Test
    void unknownUrl() throws Exception {
        assertError(Http.get(TestServers.shared(), "/v1/engines", TestServers.KEY), 404, "invalid_request_error", null,
                "unknown_url");
    }

    @Test
    void corsIsOffUnlessConfigured() throws Exception {
        AloeServer s = TestServers.shared();
        HttpRequest preflight = HttpRequest.newBuilder(URI.create(Http.root(s) + "/v1/chat/completions"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://evil.example")
                .header("Access-Control-Request-Method", "POST").build();
        HttpResponse<String> r = Http.CLIENT.send(preflight, HttpResponse.BodyHandlers.ofString());
        assertFalse(r.headers().firstValue("Access-Control-Allow-Origin").isPresent());
        Http.Reply models = Http.get(s, "/v1/models", TestServers.KEY);
        assertFalse(models.raw().headers().firstValue("Access-Control-Allow-Origin").isPresent());
    }

    @Test
    void healthAndMetrics() throws Exception {
        AloeServer s = TestServers.shared();
        stillServes();
        JsonNode health = Http.get(s, "/health", null).json();
        assertEquals("ok", health.get("status").asText());
        assertEquals(8, health.get("parallel").asInt());
        Http.Reply metrics = Http.get(s, "/metrics", TestServers.KEY);
        assertEquals(200, metrics.status());
        assertTrue(metrics.raw().headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
        String text = metrics.body();
        for (String line : text.lines().toList()) {
            assertTrue(line.startsWith("# HELP ") || line.startsWith("# TYPE ")
                    || line.matches("[a-z_]+(\\{[^}]*\\})? [0-9.eE+-]+"), "Prometheus text line: " + line);
        }
        assertTrue(text.matches("(?s).*aloe_requests_total\\{endpoint=\"/v1/chat/completions\",status=\"200\"} [1-9].*"));
        assertTrue(text.contains("aloe_queue_depth "));
        assertTrue(text.contains("aloe_time_to_first_token_seconds_bucket{le=\"+Inf\"} "));
        assertTrue(text.contains("aloe_request_duration_seconds_count{endpoint=\"/v1/chat/completions\"} "));
        assertTrue(text.matches("(?s).*aloe_forward_passes_total [1-9].*"));
    }
}
