package org.aloe4j.eval.openended;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.aloe4j.eval.method.ScriptedReplies;
import org.aloe4j.remote.OpenAiCompatibleModel;
import org.aloe4j.remote.RetryPolicy;
import org.aloe4j.remote.ScriptedOpenAiServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenEndedTest {

    @TempDir
    Path tmp;

    @Test
    void judgeScoreIsTheLastScoreLineWithinTheRange() {
        assertEquals(4.0, LlmJudge.parseScore("Good.\nScore: 4", 1, 5));
        assertEquals(2.0, LlmJudge.parseScore("Score: 5 at first... on reflection **Score: 2**", 1, 5));
        assertEquals(3.5, LlmJudge.parseScore("score = 3.5", 1, 5));
        assertNull(LlmJudge.parseScore("Score: 9", 1, 5));
        assertNull(LlmJudge.parseScore("I would give it four.", 1, 5));
    }

    @Test
    void openEndedRunGeneratesMissingPredictionsScoresRougeAndJudges() throws IOException {
        Path data = tmp.resolve("open.jsonl");
        Files.writeString(data,
                "{\"id\":\"a\",\"prompt\":\"[o1] What is X?\",\"reference\":\"testing one two\","
                        + "\"prediction\":\"testing\"}\n"
                        + "{\"id\":\"b\",\"prompt\":\"[o2] What is Y?\",\"reference\":\"testing one two\"}\n"
                        + "{\"id\":\"c\",\"reference\":\"no prompt\"}\n");
        var answers = new ScriptedReplies().texts("[o2]", "testing one");
        try (var modelServer = new ScriptedOpenAiServer(answers)) {
            var judgeReplies = new ScriptedReplies()
                    .texts("[o1]", "Too short. Score: 2")
                    .texts("[o2]", "Hmm.", "Fine.\nScore: 4");
            try (var judgeServer = new ScriptedOpenAiServer(judgeReplies)) {
                var none = new RetryPolicy(0, Duration.ZERO, Duration.ZERO);
                var model = OpenAiCompatibleModel.builder(modelServer.url()).backendModel("m").retry(none).build();
                var judgeModel = OpenAiCompatibleModel.builder(judgeServer.url()).backendModel("j").retry(none)
                        .build();
                var judge = new LlmJudge(judgeModel, LlmJudge.MEDICAL_ANSWER, 3);
                JsonNode r = OpenEndedRunner.run(data, model, judge, true, 64, tmp.resolve("out"),
                        new PrintStream(java.io.OutputStream.nullOutputStream()));
                assertEquals(2, r.get("n").asInt());
                assertEquals(1, r.get("generated").asInt());
                assertEquals(1, r.get("rejected_rows").asInt());
                // rouge1 F: "testing" -> 1/2, "testing one" -> 4/5 (rouge_scorer_test.py); mean 0.65
                assertEquals(0.65, r.get("rouge1").get("f").asDouble(), 1e-12);
                // rouge2 F: "testing" has no bigram -> 0; "testing one" -> 2/3; mean 1/3
                assertEquals(1.0 / 3, r.get("rouge2").get("f").asDouble(), 1e-12);
                assertEquals(3.0, r.get("judge").get("mean").asDouble(), 1e-12);
                assertEquals(2, r.get("judge").get("scored").asInt());
                assertEquals(3, judgeServer.calls().size(), "one retry for the unparsable reply");
                assertEquals(0.05, judgeServer.calls().get(2).temperature(), 1e-12);
            }
        }
        assertEquals(2, Files.readAllLines(tmp.resolve("out/open_items.jsonl")).size());
    }
}
