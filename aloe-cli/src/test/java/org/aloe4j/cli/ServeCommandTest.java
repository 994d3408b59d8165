package org.aloe4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.aloe4j.Fixtures;
import org.aloe4j.rag.docs.Retriever;
import org.aloe4j.server.Grounding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ServeCommandTest {

    @TempDir
    Path dir;

    @Test
    void servesALocalModelOnTheGivenPort() throws Exception {
        ServeCommand serve = new ServeCommand();
        CommandLine cl = new CommandLine(serve);
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.parseArgs("--model", Fixtures.file("models/tiny-qwen2.F32.gguf").toString(), "--port", "0",
                "--parallel", "2", "--served-model-name", "tiny");
        try (ServeCommand.Running running = serve.start()) {
            assertTrue(out.toString().contains("Serving tiny at http://127.0.0.1:"), out.toString());
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create(running.server().baseUrl() + "/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"tiny\",\"prompt\":[1,2,3],\"max_tokens\":4}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            JsonNode usage = new ObjectMapper().readTree(r.body()).get("usage");
            assertEquals(3, usage.get("prompt_tokens").asInt());
            assertEquals(4, usage.get("completion_tokens").asInt());
        }
    }

    @Test
    void needsExactlyOneSource() {
        CliRun run = CliRun.of("serve", "--port", "0");
        assertEquals(2, run.exitCode(), run.err());
        assertTrue(run.err().startsWith("give exactly one of --model PATH or --backend URL\n"), run.err());
    }

    @Test
    void theDocumentIndexGroundsAnswers() throws Exception {
        Path docs = Files.createDirectories(dir.resolve("docs"));
        Files.writeString(docs.resolve("thyroid.md"), "# Thyroid\n\nPrimary hypothyroidism presents with fatigue, "
                + "cold intolerance and a raised TSH. It is treated with levothyroxine.");
        Files.writeString(docs.resolve("kidney.txt"), "Hyperkalaemia with ECG changes is treated first with "
                + "intravenous calcium gluconate.");
        Path index = dir.resolve("index");
        assertEquals(0, CliRun.of("index", docs.toString(), "--out", index.toString()).exitCode());
        try (RetrieverGrounding g = new RetrieverGrounding(Retriever.open(index), 1)) {
            Grounding.Context c = g.ground("Which hormone replacement is used for an underactive thyroid?");
            assertEquals(1, c.sources().size());
            assertEquals("thyroid.md, chunk 1", c.sources().getFirst().label());
            assertTrue(c.instructions().contains("levothyroxine"), c.instructions());
            assertTrue(c.instructions().contains("[1] (thyroid.md, chunk 1)"), c.instructions());
        }
    }
}
