package org.aloe4j.eval.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds {@code results.json} from the items' records: {@code n, correct, accuracy, ci95 [lo, hi], ci_method},
 * {@code parse_failures} (items with no parsable answer in any run, counted wrong), {@code unparsed_runs},
 * {@code retries} (attempts beyond each run's first), {@code draws {total, correct, incorrect}},
 * {@code item_errors}, {@code per_subject {s: {n, correct, accuracy, ci95}}}, {@code tokens}. The caller adds
 * the run's identity (benchmark, method, model...) and times.
 */
public final class Results {
    private Results() {}

    static final ObjectMapper JSON = new ObjectMapper();

    public static ObjectNode score(Collection<JsonNode> records) {
        long n = 0;
        long correct = 0;
        long parseFailures = 0;
        long unparsedRuns = 0;
        long retries = 0;
        long drawsTotal = 0;
        long drawsCorrect = 0;
        long errors = 0;
        long promptTokens = 0;
        long completionTokens = 0;
        Map<String, long[]> subjects = new TreeMap<>();
        for (JsonNode r : records) {
            n++;
            boolean ok = r.path("correct").asBoolean(false);
            if (ok) {
                correct++;
            }
            if (r.hasNonNull("error")) {
                errors++;
            } else if (r.path("pred").isNull() || r.path("pred").isMissingNode()) {
                parseFailures++;
            }
            unparsedRuns += r.path("unparsed_runs").asLong(0);
            for (JsonNode a : r.path("attempts")) {
                if (a.path("attempt").asInt(0) > 0) {
                    retries++;
                }
            }
            if (r.path("draw").asBoolean(false)) {
                drawsTotal++;
                if (ok) {
                    drawsCorrect++;
                }
            }
            promptTokens += r.path("tokens").path("prompt").asLong(0);
            completionTokens += r.path("tokens").path("completion").asLong(0);
            long[] s = subjects.computeIfAbsent(r.path("subject").asText(""), k -> new long[2]);
            s[0]++;
            if (ok) {
                s[1]++;
            }
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("n", n);
        out.put("correct", correct);
        out.put("accuracy", n == 0 ? 0.0 : (double) correct / n);
        putCi(out, correct, n);
        out.put("ci_method", Wilson.METHOD);
        out.put("parse_failures", parseFailures);
        out.put("unparsed_runs", unparsedRuns);
        out.put("retries", retries);
        out.putObject("draws").put("total", drawsTotal).put("correct", drawsCorrect)
                .put("incorrect", drawsTotal - drawsCorrect);
        out.put("item_errors", errors);
        ObjectNode per = out.putObject("per_subject");
        subjects.forEach((name, s) -> {
            ObjectNode o = per.putObject(name.isEmpty() ? "(none)" : name);
            o.put("n", s[0]).put("correct", s[1]).put("accuracy", s[0] == 0 ? 0.0 : (double) s[1] / s[0]);
            putCi(o, s[1], s[0]);
        });
        out.putObject("tokens").put("prompt", promptTokens).put("completion", completionTokens)
                .put("total", promptTokens + completionTokens);
        return out;
    }

    private static void putCi(ObjectNode o, long k, long n) {
        double[] ci = Wilson.interval95(k, n);
        ArrayNode a = o.putArray("ci95");
        a.add(ci[0]);
        a.add(ci[1]);
    }
}
