package org.aloe4j.eval.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * CareQA (Spanish specialised-training access exams, English and Spanish versions) as the Hugging Face rows:
 * {@code question, op1..op4, cop} (+ {@code category}, {@code unique_id}, {@code exam_id}, {@code year}), in JSON
 * lines or CSV with a header. {@code cop} is 1-based in the published data; the convention is read from the whole
 * file as for MedMCQA. Subject = category.
 */
public final class CareQaLoader implements BenchmarkLoader {

    private static final String[] OPTION_FIELDS = {"op1", "op2", "op3", "op4"};

    @Override
    public LoadResult load(Path path, LoaderOptions options) {
        LoadCollector out = new LoadCollector();
        for (Path file : DataFiles.list(path, ".jsonl", ".json", ".csv")) {
            loadFile(file, options, out);
        }
        return out.result();
    }

    private record Row(long line, JsonNode node, int cop) {}

    private static void loadFile(Path file, LoaderOptions options, LoadCollector out) {
        List<Row> rows = new ArrayList<>();
        List<Integer> cops = new ArrayList<>();
        CsvRows.readAny(file, out.errors, (line, row) -> {
            Integer cop = MedMcqaLoader.intField(row, "cop");
            if (cop == null || cop < 0 || cop > OPTION_FIELDS.length) {
                out.error(file, line, "'cop' must be an integer 0..4, got " + row.get("cop"));
                return;
            }
            cops.add(cop);
            rows.add(new Row(line, row, cop));
        });
        if (rows.isEmpty()) {
            return;
        }
        int base = IndexBase.detect(cops, OPTION_FIELDS.length, file, "cop", options);
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        String lang = name.matches(".*(^|[_\\-.])es([_\\-.].*|$)") ? "Spanish"
                : name.matches(".*(^|[_\\-.])en([_\\-.].*|$)") ? "English" : "language not in the file name";
        out.notes.add(file.getFileName() + ": " + IndexBase.describe(base, OPTION_FIELDS.length, "cop") + "; " + lang);
        String stem = LoadCollector.stem(file);
        for (Row r : rows) {
            out.add(file, r.line(), () -> {
                JsonNode row = r.node();
                String q = JsonRows.text(row, "question");
                if (q == null) {
                    throw new IllegalArgumentException("no 'question'");
                }
                List<String> opts = new ArrayList<>();
                for (String f : OPTION_FIELDS) {
                    String o = JsonRows.text(row, f);
                    if (o == null) {
                        throw new IllegalArgumentException("option '" + f + "' is missing or empty");
                    }
                    opts.add(o);
                }
                int g = r.cop() - base;
                if (g < 0 || g >= opts.size()) {
                    throw new IllegalArgumentException("cop " + r.cop() + " is out of range for " + base
                            + "-based values");
                }
                String id = JsonRows.text(row, "unique_id");
                if (id == null) {
                    id = JsonRows.text(row, "id");
                }
                return new Question(id != null ? id : stem + ":" + r.line(), JsonRows.text(row, "category"), "", q,
                        opts, Question.letter(g));
            });
        }
    }
}
