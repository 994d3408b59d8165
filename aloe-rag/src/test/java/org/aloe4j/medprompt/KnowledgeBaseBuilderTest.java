package org.aloe4j.medprompt;

import static org.aloe4j.medprompt.OptionPicker.garbage;
import static org.aloe4j.medprompt.OptionPicker.httpError;
import static org.aloe4j.medprompt.OptionPicker.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aloe4j.eval.data.Question;
import org.aloe4j.eval.method.MethodOptions;
import org.aloe4j.eval.method.RetrySchedule;
import org.aloe4j.rag.embed.HashingEmbedder;
import org.aloe4j.rag.medprompt.Example;
import org.aloe4j.rag.medprompt.KnowledgeBase;
import org.aloe4j.rag.medprompt.RetrievedExample;
import org.aloe4j.rag.store.LuceneStore;
import org.aloe4j.remote.OpenAiCompatibleModel;
import org.aloe4j.remote.RemoteModelException;
import org.aloe4j.remote.RetryPolicy;
import org.aloe4j.remote.ScriptedOpenAiServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code medprompt build}: only correctly answered questions enter the knowledge base; the build resumes. */
class KnowledgeBaseBuilderTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final MethodOptions OPTIONS = new MethodOptions(null, null, null, 1, RetrySchedule.DATABASE_ATTEMPTS,
            0, null);

    @TempDir
    Path dir;

    static String gold(Question q) {
        return q.options().get(q.goldIndex());
    }

    static String wrong(Question q) {
        return q.options().get((q.goldIndex() + 1) % q.options().size());
    }

    private static OpenAiCompatibleModel model(ScriptedOpenAiServer s) {
        return OpenAiCompatibleModel.builder(s.url()).backendModel("Llama3.1-Aloe-Beta-8B")
                .retry(new RetryPolicy(0, Duration.ZERO, Duration.ZERO)).build();
    }

    private static List<JsonNode> log(Path file) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            out.add(JSON.readTree(line));
        }
        return out;
    }

    @Test
    void keepsOnlyTheCorrectAnswersWithTheirReasoning() throws Exception {
        List<Question> qs = MedpromptOverHttpTest.medqa(6);
        OptionPicker script = new OptionPicker()
                .on(qs.get(0).question(), text(gold(qs.get(0))))
                .on(qs.get(1).question(), text(wrong(qs.get(1))))
                // never parsable in the 3 attempts of a database build
                .on(qs.get(2).question(), garbage(), garbage(), garbage())
                .on(qs.get(3).question(), garbage(), text(gold(qs.get(3))))
                // the server refuses the request (prompt too long...): logged, not kept, the build goes on
                .on(qs.get(4).question(), httpError(400))
                .on(qs.get(5).question(), text(gold(qs.get(5))));
        Path index = dir.resolve("kb");
        Path logFile = index.resolve(KnowledgeBaseBuilder.LOG);
        List<long[]> progress = new ArrayList<>();
        try (var server = new ScriptedOpenAiServer(script.overHttp());
                var m = model(server);
                KnowledgeBase kb = new KnowledgeBase(LuceneStore.open(index, 128), new HashingEmbedder(128))) {
            var builder = new KnowledgeBaseBuilder(kb, OPTIONS, 2, 4);
            var report = builder.build(m, "medqa", qs, logFile, (done, total, kept) -> progress.add(
                    new long[] {done, total, kept}));
            assertEquals(new KnowledgeBaseBuilder.Report(6, 0, 6, 3, 1, 3), report);
            assertEquals(3, kb.size());
            assertEquals(List.of(4L, 6L, 2L), List.of(progress.get(0)[0], progress.get(0)[1], progress.get(0)[2]));
            assertEquals(List.of(6L, 6L, 3L), List.of(progress.get(1)[0], progress.get(1)[1], progress.get(1)[2]));

            // the kept ones are stored whole: question, options as given, the reply as reasoning, the gold letter
            for (int i : new int[] {0, 3, 5}) {
                Question q = qs.get(i);
                RetrievedExample found = kb.nearest(q.question(), 1).getFirst();
                Example e = found.example();
                assertEquals("medqa/" + q.id(), e.id());
                assertEquals(1.0, found.similarity(), 1e-6);
                assertEquals(q.question(), e.question());
                Map<String, String> options = new LinkedHashMap<>();
                for (int o = 0; o < q.options().size(); o++) {
                    options.put(Question.letter(o), q.options().get(o));
                }
                assertEquals(options, e.options());
                assertEquals(q.gold(), e.answer());
                assertEquals("Weighing each option in turn, " + gold(q) + " fits the findings best.\nAnswer: ["
                        + q.gold() + "]", e.reasoning());
            }
            // the wrong, unparsable and refused ones are not
            for (int i : new int[] {1, 2, 4}) {
                assertFalse(kb.nearest(qs.get(i).question(), 3).stream()
                        .anyMatch(r -> r.example().id().equals("medqa/" + qs.get(i).id())));
            }

            // the prompt: chain-of-thought instructions and the question, greedy, 1024 tokens, +0.05/+100 per retry
            var calls = server.calls();
            assertEquals(9, calls.size(), "1 + 1 + 3 + 2 + 1 + 1");
            var first = calls.stream().filter(c -> c.lastUser().startsWith(qs.get(2).question())).toList();
            assertEquals(List.of(0.0, 0.05, 0.1), first.stream().map(ScriptedOpenAiServer.Call::temperature).toList());
            assertEquals(List.of(1024, 1124, 1224), first.stream().map(ScriptedOpenAiServer.Call::maxTokens).toList());
            assertEquals(MedpromptPrompt.INSTRUCTIONS, first.getFirst().body().get("messages").get(0).get("content")
                    .asText());

            // the log: one line per question, whether it was kept, the error of the refused one
            List<JsonNode> lines = log(logFile);
            assertEquals(6, lines.size());
            Map<String, Boolean> kept = new LinkedHashMap<>();
            lines.forEach(l -> kept.put(l.get("id").asText(), l.get("kept").asBoolean()));
            for (int i = 0; i < 6; i++) {
                assertEquals(i == 0 || i == 3 || i == 5, kept.get("medqa/" + qs.get(i).id()), "item " + i);
            }
            JsonNode refused = lines.stream().filter(l -> l.has("error")).findFirst().orElseThrow();
            assertEquals("medqa/" + qs.get(4).id(), refused.get("id").asText());
            assertTrue(refused.get("error").asText().contains("HTTP 400"), refused.toString());

            // running again asks nothing
            var again = builder.build(m, "medqa", qs, logFile, KnowledgeBaseBuilder.Listener.NONE);
            assertEquals(new KnowledgeBaseBuilder.Report(6, 6, 0, 0, 0, 3), again);
            assertEquals(9, server.calls().size());
        }
    }

    @Test
    void aBuildStoppedByAServerFailureKeepsWhatWasCommittedAndResumes() throws Exception {
        List<Question> qs = MedpromptOverHttpTest.medqa(5);
        OptionPicker script = new OptionPicker();
        for (int i = 0; i < 5; i++) {
            script.on(qs.get(i).question(), text(gold(qs.get(i))));
        }
        // item 3 meets a server error (503, not retried here): the build stops after its batch is committed
        OptionPicker failing = new OptionPicker();
        for (int i = 0; i < 5; i++) {
            failing.on(qs.get(i).question(), i == 3 ? httpError(503) : text(gold(qs.get(i))));
        }
        Path index = dir.resolve("kb");
        Path logFile = index.resolve(KnowledgeBaseBuilder.LOG);
        try (var server = new ScriptedOpenAiServer(failing.overHttp()); var m = model(server);
                KnowledgeBase kb = new KnowledgeBase(LuceneStore.open(index, 128), new HashingEmbedder(128))) {
            var builder = new KnowledgeBaseBuilder(kb, OPTIONS, 1, 2);
            var e = assertThrows(RemoteModelException.class,
                    () -> builder.build(m, "medqa", qs, logFile, KnowledgeBaseBuilder.Listener.NONE));
            assertEquals(503, e.status());
        }
        // reopened from disk: items 0, 1 and 2 (batch [2, 3] committed without 3), and the log says so
        assertEquals(3, log(logFile).size());
        try (var server = new ScriptedOpenAiServer(script.overHttp()); var m = model(server);
                KnowledgeBase kb = new KnowledgeBase(LuceneStore.open(index, 128), new HashingEmbedder(128))) {
            assertEquals(3, kb.size());
            var report = new KnowledgeBaseBuilder(kb, OPTIONS, 1, 2).build(m, "medqa", qs, logFile,
                    KnowledgeBaseBuilder.Listener.NONE);
            assertEquals(new KnowledgeBaseBuilder.Report(5, 3, 2, 2, 0, 5), report);
            assertEquals(2, server.calls().size(), "only items 3 and 4 asked again");
            assertEquals(5, kb.size());
        }
    }
}
