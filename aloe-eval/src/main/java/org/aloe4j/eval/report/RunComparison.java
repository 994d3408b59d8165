package org.aloe4j.eval.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/** {@code aloe eval compare DIR...}: the runs' results side by side, as markdown. */
public final class RunComparison {
    private RunComparison() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    public static String markdown(List<Path> dirs) throws IOException {
        List<JsonNode> runs = new ArrayList<>();
        for (Path d : dirs) {
            Path f = Files.isDirectory(d) ? d.resolve("results.json") : d;
            if (!Files.exists(f)) {
                throw new IOException(f + ": no results.json (is this an aloe eval --out folder?)");
            }
            runs.add(JSON.readTree(f.toFile()));
        }
        StringBuilder sb = new StringBuilder();
        sb.append("| run | benchmark | method | model | n | accuracy | 95% CI (Wilson) | no answer | draws |"
                + " tokens | wall time |\n");
        sb.append("|---|---|---|---|---:|---:|---|---:|---:|---:|---:|\n");
        for (int i = 0; i < runs.size(); i++) {
            JsonNode r = runs.get(i);
            sb.append("| ").append(dirs.get(i)).append(" | ").append(r.path("benchmark").asText()).append(" | ")
                    .append(r.path("method").asText()).append(" | ").append(r.path("model").asText()).append(" | ")
                    .append(r.path("n").asLong()).append(r.path("complete").asBoolean(true) ? "" : " (incomplete)")
                    .append(" | ").append(MarkdownReport.pct(r.path("accuracy").asDouble())).append(" | [")
                    .append(MarkdownReport.pct(r.path("ci95").path(0).asDouble())).append(", ")
                    .append(MarkdownReport.pct(r.path("ci95").path(1).asDouble())).append("] | ")
                    .append(r.path("parse_failures").asLong()).append(" | ")
                    .append(r.path("draws").path("total").asLong()).append(" | ")
                    .append(r.path("tokens").path("total").asLong()).append(" | ")
                    .append(String.format(Locale.ROOT, "%.1f s", r.path("wall_time_s").asDouble())).append(" |\n");
        }
        TreeSet<String> subjects = new TreeSet<>();
        runs.forEach(r -> r.path("per_subject").fieldNames().forEachRemaining(subjects::add));
        if (subjects.size() > 1) {
            sb.append("\n| subject |");
            for (Path d : dirs) {
                sb.append(' ').append(d).append(" |");
            }
            sb.append("\n|---|").append("---:|".repeat(dirs.size())).append('\n');
            for (String s : subjects) {
                sb.append("| ").append(s).append(" |");
                for (JsonNode r : runs) {
                    JsonNode ps = r.path("per_subject").path(s);
                    sb.append(ps.isMissingNode() ? " — |" : " " + MarkdownReport.pct(ps.path("accuracy").asDouble())
                            + " (n=" + ps.path("n").asLong() + ") |");
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }
}
