package org.aloe4j.eval.data;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * PubMedQA: {@code ori_pqal.json} ({PMID: {QUESTION, CONTEXTS[], final_decision, ...}}) and
 * {@code test_ground_truth.json} ({PMID: yes|no|maybe}). The items are the ground truth's PMIDs in its order; options
 * A = yes, B = no, C = maybe; the context is the abstract, CONTEXTS joined with newlines. {@code path} is the folder
 * holding both files, or either file (the other is looked for beside it). Without a ground-truth file, every
 * ori_pqal entry is used with its final_decision, and the notes say so.
 */
public final class PubMedQaLoader implements BenchmarkLoader {

    static final List<String> OPTIONS = List.of("yes", "no", "maybe");

    @Override
    public LoadResult load(Path path, LoaderOptions options) {
        LoadCollector.requireExists(path);
        Path dir = Files.isDirectory(path) ? path : path.toAbsolutePath().getParent();
        Path pqal = pick(path, dir, "ori_pqal");
        Path truth = pick(path, dir, "test_ground_truth");
        if (pqal == null) {
            throw new DatasetException(path + ": no ori_pqal*.json found");
        }
        LoadCollector out = new LoadCollector();
        Map<String, Long> pqalLines = keyLines(pqal);
        JsonNode entries = readTree(pqal);
        if (truth != null) {
            Map<String, Long> truthLines = keyLines(truth);
            JsonNode labels = readTree(truth);
            out.notes.add("ground truth: " + truth.getFileName() + " (" + labels.size() + " PMIDs); abstracts: "
                    + pqal.getFileName());
            labels.properties().forEach(e -> {
                String pmid = e.getKey();
                long line = truthLines.getOrDefault(pmid, 0L);
                JsonNode entry = entries.get(pmid);
                if (entry == null) {
                    out.error(truth, line, "PMID " + pmid + " is not in " + pqal.getFileName());
                    return;
                }
                out.add(truth, line, () -> parse(pmid, entry, e.getValue().asText(null), "ground truth"));
            });
        } else {
            out.notes.add("no test_ground_truth*.json beside " + pqal.getFileName()
                    + ": every entry is used, gold = its final_decision");
            entries.properties().forEach(e -> out.add(pqal, pqalLines.getOrDefault(e.getKey(), 0L),
                    () -> parse(e.getKey(), e.getValue(), JsonRows.text(e.getValue(), "final_decision"),
                            "final_decision")));
        }
        return out.result();
    }

    private static Question parse(String pmid, JsonNode entry, String label, String labelSource) {
        String q = JsonRows.text(entry, "QUESTION");
        if (q == null) {
            throw new IllegalArgumentException("PMID " + pmid + ": no QUESTION");
        }
        JsonNode ctx = entry.get("CONTEXTS");
        if (ctx == null || !ctx.isArray()) {
            throw new IllegalArgumentException("PMID " + pmid + ": CONTEXTS is not a list");
        }
        List<String> parts = new ArrayList<>();
        ctx.forEach(c -> parts.add(c.asText()));
        int g = label == null ? -1 : OPTIONS.indexOf(label.strip().toLowerCase(Locale.ROOT));
        if (g < 0) {
            throw new IllegalArgumentException("PMID " + pmid + ": " + labelSource + " '" + label
                    + "' is not yes/no/maybe");
        }
        return new Question(pmid, "pubmedqa", String.join("\n", parts), q, OPTIONS, Question.letter(g));
    }

    /** The file whose name starts with {@code prefix}: the given file itself, else the only match in dir. */
    private static Path pick(Path given, Path dir, String prefix) {
        if (!Files.isDirectory(given) && given.getFileName().toString().startsWith(prefix)) {
            return given;
        }
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> m = s.filter(p -> p.getFileName().toString().startsWith(prefix)
                    && p.getFileName().toString().endsWith(".json")).sorted().toList();
            if (m.size() > 1) {
                throw new DatasetException(dir + ": several " + prefix + "*.json files " + m
                        + "; give the file itself");
            }
            return m.isEmpty() ? null : m.getFirst();
        } catch (IOException e) {
            throw new DatasetException(dir + ": cannot list: " + e.getMessage(), e);
        }
    }

    private static JsonNode readTree(Path file) {
        try {
            JsonNode n = JsonRows.JSON.readTree(file.toFile());
            if (n == null || !n.isObject()) {
                throw new DatasetException(file + ": expected a JSON object keyed by PMID");
            }
            return n;
        } catch (IOException e) {
            throw new DatasetException(file + ": not valid JSON: " + e.getMessage(), e);
        }
    }

    /** The line of each top-level key, for error messages. */
    private static Map<String, Long> keyLines(Path file) {
        Map<String, Long> lines = new LinkedHashMap<>();
        try (JsonParser p = JsonRows.JSON.createParser(file.toFile())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return lines;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                lines.put(p.currentName(), (long) p.currentTokenLocation().getLineNr());
                p.nextToken();
                p.skipChildren();
            }
        } catch (IOException e) {
            // readTree reports the problem with its own message
        }
        return lines;
    }
}
