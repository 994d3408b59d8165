package org.aloe4j.eval.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * MedQA (USMLE) JSON lines: {@code question}, {@code options} {"A": ..., "B": ...}, {@code answer_idx} (letter),
 * {@code answer} (text, used when answer_idx is absent and checked against it when both are there). Ids are
 * {@code <file stem>:<line>}; subject is {@code meta_info} (step1 / step2&3) when present.
 */
public final class MedQaLoader implements BenchmarkLoader {

    @Override
    public LoadResult load(Path path, LoaderOptions options) {
        LoadCollector out = new LoadCollector();
        for (Path file : DataFiles.list(path, ".jsonl", ".json")) {
            String stem = LoadCollector.stem(file);
            JsonRows.read(file, out.errors, (line, row) -> out.add(file, line, () -> parse(stem, line, row)));
        }
        return out.result();
    }

    static Question parse(String stem, long line, JsonNode row) {
        String question = JsonRows.text(row, "question");
        if (question == null) {
            throw new IllegalArgumentException("no 'question'");
        }
        JsonNode opts = row.get("options");
        if (opts == null || !opts.isObject()) {
            throw new IllegalArgumentException("'options' must be an object {\"A\": ..., \"B\": ...}");
        }
        List<String> options = new ArrayList<>();
        for (int i = 0; i < opts.size(); i++) {
            String key = Question.letter(i);
            String text = JsonRows.text(opts, key);
            if (text == null) {
                throw new IllegalArgumentException("'options' must have the keys A.." + Question.letter(opts.size() - 1)
                        + "; '" + key + "' is missing or empty");
            }
            options.add(text);
        }
        String idx = JsonRows.text(row, "answer_idx");
        String answer = JsonRows.text(row, "answer");
        String gold;
        if (idx != null) {
            gold = idx.strip();
            int g = Question.indexOf(gold);
            if (g < 0 || g >= options.size()) {
                throw new IllegalArgumentException("answer_idx '" + idx + "' is not an option letter");
            }
            if (answer != null && !answer.strip().equals(options.get(g).strip())) {
                throw new IllegalArgumentException("answer_idx " + gold + " is \"" + options.get(g)
                        + "\" but answer is \"" + answer + "\"");
            }
        } else if (answer != null) {
            int g = options.stream().map(String::strip).toList().indexOf(answer.strip());
            if (g < 0) {
                throw new IllegalArgumentException("answer \"" + answer + "\" matches no option");
            }
            gold = Question.letter(g);
        } else {
            throw new IllegalArgumentException("no 'answer_idx' or 'answer'");
        }
        String subject = JsonRows.text(row, "meta_info");
        return new Question(stem + ":" + line, subject, "", question, options, gold);
    }
}
