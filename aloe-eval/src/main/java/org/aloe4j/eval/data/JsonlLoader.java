package org.aloe4j.eval.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Generic JSON lines: {@code question}; {@code options} as an object {"A": ...} or a list; the answer in
 * {@code answer} (or {@code answer_idx}) as a letter, an index (0- or 1-based, read from the whole file as for
 * MedMCQA) or the text of an option; optional {@code id}, {@code subject}, {@code context}.
 */
public final class JsonlLoader implements BenchmarkLoader {

    @Override
    public LoadResult load(Path path, LoaderOptions options) {
        LoadCollector out = new LoadCollector();
        for (Path file : DataFiles.list(path, ".jsonl", ".json")) {
            loadFile(file, options, out);
        }
        return out.result();
    }

    private record Row(long line, JsonNode node, List<String> options, JsonNode answer) {}

    private static void loadFile(Path file, LoaderOptions loaderOptions, LoadCollector out) {
        List<Row> rows = new ArrayList<>();
        List<Integer> indices = new ArrayList<>();
        int[] maxOptions = {0};
        JsonRows.read(file, out.errors, (line, row) -> {
            List<String> opts;
            try {
                opts = options(row.get("options"));
            } catch (IllegalArgumentException e) {
                out.error(file, line, e.getMessage());
                return;
            }
            JsonNode answer = row.hasNonNull("answer_idx") ? row.get("answer_idx") : row.get("answer");
            if (answer == null || answer.isNull()) {
                out.error(file, line, "no 'answer'");
                return;
            }
            if (answer.isIntegralNumber()) {
                indices.add(answer.asInt());
                maxOptions[0] = Math.max(maxOptions[0], opts.size());
            }
            rows.add(new Row(line, row, opts, answer));
        });
        int base = -1;
        if (!indices.isEmpty()) {
            // a 1-based index can equal the option count; with a uniform option count this is the MedMCQA rule
            boolean top = false;
            boolean zero = indices.contains(0);
            for (Row r : rows) {
                if (r.answer().isIntegralNumber() && r.answer().asInt() == r.options().size()) {
                    top = true;
                }
            }
            List<Integer> flags = new ArrayList<>();
            if (zero) {
                flags.add(0);
            }
            if (top) {
                flags.add(maxOptions[0]);
            }
            base = IndexBase.detect(flags.isEmpty() ? indices : flags, maxOptions[0], file, "answer",
                    loaderOptions);
            out.notes.add(file.getFileName() + ": numeric answers are " + base + "-based");
        }
        String stem = LoadCollector.stem(file);
        int b = base;
        for (Row r : rows) {
            out.add(file, r.line(), () -> {
                JsonNode row = r.node();
                String q = JsonRows.text(row, "question");
                if (q == null) {
                    throw new IllegalArgumentException("no 'question'");
                }
                String gold = gold(r.answer(), r.options(), b);
                String id = JsonRows.text(row, "id");
                return new Question(id != null ? id : stem + ":" + r.line(), JsonRows.text(row, "subject"),
                        JsonRows.text(row, "context"), q, r.options(), gold);
            });
        }
    }

    private static List<String> options(JsonNode n) {
        if (n == null || n.isNull()) {
            throw new IllegalArgumentException("no 'options'");
        }
        List<String> out = new ArrayList<>();
        if (n.isArray()) {
            n.forEach(o -> out.add(o.asText()));
        } else if (n.isObject()) {
            for (int i = 0; i < n.size(); i++) {
                JsonNode o = n.get(Question.letter(i));
                if (o == null || o.isNull()) {
                    throw new IllegalArgumentException("'options' must have the keys A.." + Question.letter(n.size() - 1)
                            + "; '" + Question.letter(i) + "' is missing");
                }
                out.add(o.asText());
            }
        } else {
            throw new IllegalArgumentException("'options' must be a list or an object");
        }
        for (int i = 0; i < out.size(); i++) {
            if (out.get(i).isBlank()) {
                throw new IllegalArgumentException("option " + Question.letter(i) + " is empty");
            }
        }
        return out;
    }

    private static String gold(JsonNode answer, List<String> options, int base) {
        if (answer.isIntegralNumber()) {
            int g = answer.asInt() - base;
            if (g < 0 || g >= options.size()) {
                throw new IllegalArgumentException("answer index " + answer.asInt() + " is out of range for "
                        + options.size() + " options (" + base + "-based)");
            }
            return Question.letter(g);
        }
        String a = answer.asText().strip();
        int letter = Question.indexOf(a);
        if (letter >= 0 && letter < options.size()) {
            return a;
        }
        int byText = -1;
        for (int i = 0; i < options.size(); i++) {
            if (options.get(i).strip().equals(a)) {
                if (byText >= 0) {
                    throw new IllegalArgumentException("answer \"" + a + "\" matches two options");
                }
                byText = i;
            }
        }
        if (byText < 0) {
            throw new IllegalArgumentException("answer \"" + a + "\" is neither an option letter nor an option's text");
        }
        return Question.letter(byText);
    }
}
