package org.aloe4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.aloe4j.eval.data.Benchmark;
import org.aloe4j.eval.data.LoadResult;
import org.aloe4j.eval.data.LoaderOptions;
import org.aloe4j.eval.data.Question;
import org.aloe4j.eval.data.RowError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code aloe eval inspect}: reads a benchmark file and prints one JSON line: {@code items}, {@code answers} (items
 * per gold letter), {@code errors} (rejected rows with file and line), {@code notes} (e.g. MedMCQA's cop
 * convention), {@code subjects}, {@code exemplars}.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Check a benchmark file: one JSON line with item and answer counts and rejected rows.")
public final class EvalInspectCommand implements Callable<Integer> {

    @Option(names = "--bench", required = true, paramLabel = "NAME",
            description = "medqa | medmcqa | pubmedqa | mmlu-medical | careqa | jsonl")
    String bench;

    @Option(names = "--data", required = true, paramLabel = "FILE_OR_DIR")
    Path data;

    @Option(names = "--index-base", paramLabel = "0|1", description = "numeric answers count from 0 or 1")
    Integer indexBase;

    @Override
    public Integer call() {
        try {
            Benchmark b = Benchmark.fromCliName(bench);
            LoadResult r = b.loader().load(data, new LoaderOptions(indexBase));
            ObjectMapper json = new ObjectMapper();
            ObjectNode o = json.createObjectNode();
            o.put("benchmark", b.cliName());
            o.put("data", data.toAbsolutePath().normalize().toString());
            o.put("items", r.questions().size());
            Map<String, Integer> answers = new TreeMap<>();
            Map<String, Integer> subjects = new TreeMap<>();
            for (Question q : r.questions()) {
                answers.merge(q.gold(), 1, Integer::sum);
                subjects.merge(q.subject(), 1, Integer::sum);
            }
            ObjectNode a = o.putObject("answers");
            answers.forEach(a::put);
            ArrayNode errs = o.putArray("errors");
            for (RowError e : r.errors()) {
                errs.addObject().put("file", e.file().toString()).put("line", e.line()).put("message", e.message());
            }
            ArrayNode notes = o.putArray("notes");
            r.notes().forEach(notes::add);
            ObjectNode s = o.putObject("subjects");
            subjects.forEach(s::put);
            ObjectNode ex = o.putObject("exemplars");
            r.exemplars().forEach((k, v) -> ex.put(k, v.size()));
            System.out.println(json.writeValueAsString(o));
            return 0;
        } catch (Exception e) {
            System.err.println("aloe eval inspect: " + e.getMessage());
            return 1;
        }
    }
}
