package org.aloe4j.eval.openended;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.aloe4j.generation.ChatMessage;
import org.aloe4j.generation.ChatRequest;
import org.aloe4j.generation.LanguageModel;
import org.aloe4j.generation.SamplingSettings;
import org.aloe4j.generation.TokenSink;

/**
 * Open-ended evaluation on JSON lines {@code {prompt, reference [, prediction] [, id]}}: rows without a prediction
 * are answered by the model (greedy), then every row gets ROUGE-1/2/L/Lsum (F, P, R) and, with a judge, a rubric
 * score. Writes {@code open_items.jsonl} (one line per row) and {@code open_results.json} (means).
 */
public final class OpenEndedRunner {
    private OpenEndedRunner() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    public static ObjectNode run(Path data, LanguageModel model, LlmJudge judge, boolean stem, int maxNewTokens,
                                 Path outDir, PrintStream log) throws IOException {
        Rouge rouge = new Rouge(stem);
        Files.createDirectories(outDir);
        double[][] sums = new double[4][3];
        double judgeSum = 0;
        int judged = 0;
        int unjudged = 0;
        int n = 0;
        int generated = 0;
        List<String> errors = new ArrayList<>();
        try (BufferedWriter out = Files.newBufferedWriter(outDir.resolve("open_items.jsonl"), StandardCharsets.UTF_8);
             var lines = Files.lines(data, StandardCharsets.UTF_8)) {
            long lineNo = 0;
            for (String line : (Iterable<String>) lines::iterator) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode row;
                try {
                    row = JSON.readTree(line);
                } catch (IOException e) {
                    errors.add(data + ":" + lineNo + ": not valid JSON");
                    continue;
                }
                String prompt = row.path("prompt").asText(null);
                String reference = row.path("reference").asText(null);
                if (prompt == null || reference == null) {
                    errors.add(data + ":" + lineNo + ": needs 'prompt' and 'reference'");
                    continue;
                }
                String prediction = row.hasNonNull("prediction") ? row.get("prediction").asText() : null;
                if (prediction == null) {
                    if (model == null) {
                        errors.add(data + ":" + lineNo + ": no 'prediction' and no model to answer");
                        continue;
                    }
                    prediction = model.chat(new ChatRequest(List.of(ChatMessage.user(prompt)),
                            SamplingSettings.greedy(maxNewTokens), List.of(), true, ""), TokenSink.NONE).text();
                    generated++;
                }
                ObjectNode item = JSON.createObjectNode();
                item.put("id", row.hasNonNull("id") ? row.get("id").asText() : String.valueOf(lineNo));
                item.put("prediction", prediction);
                RougeScore[] scores = {rouge.rougeN(reference, prediction, 1), rouge.rougeN(reference, prediction, 2),
                        rouge.rougeL(reference, prediction), rouge.rougeLsum(reference, prediction)};
                String[] names = {"rouge1", "rouge2", "rougeL", "rougeLsum"};
                for (int i = 0; i < 4; i++) {
                    item.putObject(names[i]).put("f", scores[i].fmeasure()).put("p", scores[i].precision())
                            .put("r", scores[i].recall());
                    sums[i][0] += scores[i].fmeasure();
                    sums[i][1] += scores[i].precision();
                    sums[i][2] += scores[i].recall();
                }
                if (judge != null) {
                    LlmJudge.Verdict v = judge.judge(prompt, reference, prediction);
                    if (v.score() != null) {
                        item.put("judge_score", v.score());
                        judgeSum += v.score();
                        judged++;
                    } else {
                        item.putNull("judge_score");
                        unjudged++;
                    }
                    item.put("judge_reply", v.reply());
                }
                n++;
                out.write(JSON.writeValueAsString(item));
                out.newLine();
                out.flush();
            }
        }
        errors.forEach(e -> log.println("aloe eval open: skipped row: " + e));
        ObjectNode res = JSON.createObjectNode();
        res.put("data", data.toAbsolutePath().toString());
        res.put("model", model == null ? null : model.name());
        res.put("n", n);
        res.put("generated", generated);
        res.put("stemming", stem);
        res.put("rouge_semantics", "Google rouge-score (tokenizer, NLTK default Porter stemmer for tokens > 3"
                + " characters, LCS); means over items");
        String[] names = {"rouge1", "rouge2", "rougeL", "rougeLsum"};
        for (int i = 0; i < 4; i++) {
            res.putObject(names[i]).put("f", n == 0 ? 0 : sums[i][0] / n).put("p", n == 0 ? 0 : sums[i][1] / n)
                    .put("r", n == 0 ? 0 : sums[i][2] / n);
        }
        if (judge != null) {
            ObjectNode j = res.putObject("judge");
            j.put("rubric", judge.rubric().name());
            j.put("range", judge.rubric().min() + ".." + judge.rubric().max());
            j.put("mean", judged == 0 ? null : judgeSum / judged);
            j.put("scored", judged);
            j.put("unparsable", unjudged);
        }
        res.put("rejected_rows", errors.size());
        JSON.writer(SerializationFeature.INDENT_OUTPUT).writeValue(outDir.resolve("open_results.json").toFile(), res);
        return res;
    }
}
