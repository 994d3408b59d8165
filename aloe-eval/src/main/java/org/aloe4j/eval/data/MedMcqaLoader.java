package org.aloe4j.eval.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * MedMCQA JSON lines: {@code question}, {@code opa..opd}, {@code cop}, {@code subject_name}, {@code id}. The
 * official files count {@code cop} 1..4, the Hugging Face copy 0..3: the convention is read from all rows of the
 * file ({@link IndexBase}) and stated in the notes. Ids are the rows' {@code id} (else {@code <file stem>:<line>}).
 */
public final class MedMcqaLoader implements BenchmarkLoader {

    private static final String[] OPTION_FIELDS = {"opa", "opb", "opc", "opd"};

    @Override
    public LoadResult load(Path path, LoaderOptions options) {
        LoadCollector out = new LoadCollector();
        for (Path file : DataFiles.list(path, ".jsonl", ".json")) {
            loadFile(file, options, out);
        }
        return out.result();
    }

    private record Row(long line, JsonNode node, Integer cop) {}

    private static void loadFile(Path file, LoaderOptions options, LoadCollector out) {
        List<Row> rows = new ArrayList<>();
        List<Integer> cops = new ArrayList<>();
        JsonRows.read(file, out.errors, (line, row) -> {
            Integer cop = intField(row, "cop");
            if (cop == null) {
                out.error(file, line, "no integer 'cop'");
                return;
            }
            if (cop < 0 || cop > OPTION_FIELDS.length) {
                out.error(file, line, "cop " + cop + " is outside 0..4");
                return;
            }
            cops.add(cop);
            rows.add(new Row(line, row, cop));
        });
        if (rows.isEmpty()) {
            return;
        }
        int base = IndexBase.detect(cops, OPTION_FIELDS.length, file, "cop", options);
        out.notes.add(file.getFileName() + ": " + IndexBase.describe(base, OPTION_FIELDS.length, "cop")
                + (options.indexBase() != null ? " (as told)" : " (detected from " + rows.size() + " rows)"));
        String stem = LoadCollector.stem(file);
        for (Row r : rows) {
            out.add(file, r.line(), () -> parse(stem, r, base));
        }
    }

    private static Question parse(String stem, Row r, int base) {
        JsonNode row = r.node();
        String question = JsonRows.text(row, "question");
        if (question == null) {
            throw new IllegalArgumentException("no 'question'");
        }
        List<String> options = new ArrayList<>();
        for (String f : OPTION_FIELDS) {
            String o = JsonRows.text(row, f);
            if (o == null) {
                throw new IllegalArgumentException("option '" + f + "' is missing or empty");
            }
            options.add(o);
        }
        int g = r.cop() - base;
        if (g < 0 || g >= options.size()) {
            throw new IllegalArgumentException("cop " + r.cop() + " is out of range for " + base + "-based values");
        }
        String id = JsonRows.text(row, "id");
        return new Question(id != null ? id : stem + ":" + r.line(), JsonRows.text(row, "subject_name"), "",
                question, options, Question.letter(g));
    }

    /** An integer field given as a number or as digits in a string; null otherwise. */
    static Integer intField(JsonNode row, String field) {
        JsonNode n = row.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (n.isIntegralNumber()) {
            return n.asInt();
        }
        if (n.isTextual() && n.asText().strip().matches("-?\\d{1,6}")) {
            return Integer.parseInt(n.asText().strip());
        }
        return null;
    }
}
