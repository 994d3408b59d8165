package org.aloe4j.eval.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/** {@code report.md}: the run's figures, per-subject accuracy and the paper's figures beside them. */
public final class MarkdownReport {
    private MarkdownReport() {}

    public static String render(JsonNode results, String chartFile) {
        StringBuilder sb = new StringBuilder();
        sb.append("# ").append(results.path("benchmark_name").asText(results.path("benchmark").asText()))
                .append(" — ").append(results.path("method").asText()).append(" — ")
                .append(results.path("model").asText()).append("\n\n");
        if (!results.path("complete").asBoolean(true)) {
            sb.append("> **Incomplete run**: ").append(results.path("n").asLong()).append(" of ")
                    .append(results.path("items_selected").asLong()).append(" items answered; rerun with `--resume`.\n\n");
        }
        sb.append("| | |\n|---|---|\n");
        row(sb, "items", results.path("n").asText());
        row(sb, "correct", results.path("correct").asText());
        row(sb, "accuracy", pct(results.path("accuracy").asDouble()));
        row(sb, "95% CI", "[" + pct(results.path("ci95").path(0).asDouble()) + ", "
                + pct(results.path("ci95").path(1).asDouble()) + "] (" + results.path("ci_method").asText() + ")");
        row(sb, "no parsable answer (counted wrong)", results.path("parse_failures").asText());
        row(sb, "retries after an unparsable reply", results.path("retries").asText());
        JsonNode d = results.path("draws");
        row(sb, "draws (correct / incorrect)", d.path("total").asText() + " (" + d.path("correct").asText() + " / "
                + d.path("incorrect").asText() + ")");
        row(sb, "items the server refused", results.path("item_errors").asText());
        row(sb, "rows rejected by the loader", results.path("rejected_rows").asText("0"));
        row(sb, "tokens (prompt / completion)", results.path("tokens").path("prompt").asText() + " / "
                + results.path("tokens").path("completion").asText());
        row(sb, "wall time", String.format(Locale.ROOT, "%.1f s", results.path("wall_time_s").asDouble()));
        row(sb, "data", "`" + results.path("data").asText() + "`");
        row(sb, "options", "`" + results.path("options").toString() + "`");
        sb.append('\n');
        for (JsonNode note : results.path("loader_notes")) {
            sb.append("- ").append(note.asText()).append('\n');
        }
        sb.append("\n## Per subject\n\n| subject | n | accuracy | 95% CI |\n|---|---:|---:|---|\n");
        results.path("per_subject").properties().forEach(e -> sb.append("| ").append(e.getKey()).append(" | ")
                .append(e.getValue().path("n").asText()).append(" | ")
                .append(pct(e.getValue().path("accuracy").asDouble())).append(" | [")
                .append(pct(e.getValue().path("ci95").path(0).asDouble())).append(", ")
                .append(pct(e.getValue().path("ci95").path(1).asDouble())).append("] |\n"));
        sb.append("\n## Published figures (").append(results.path("published").path("source").asText())
                .append(")\n\n");
        JsonNode rows = results.path("published").path("rows");
        if (rows.isEmpty()) {
            sb.append(results.path("published").path("note").asText("No published figure for this benchmark."))
                    .append("\n");
        } else {
            sb.append("| model | accuracy |\n|---|---:|\n");
            sb.append("| **this run** (").append(results.path("model").asText()).append(") | **")
                    .append(pct(results.path("accuracy").asDouble())).append("** |\n");
            rows.forEach(r -> sb.append("| ").append(r.path("model").asText()).append(" | ")
                    .append(String.format(Locale.ROOT, "%.2f%%", r.path("accuracy").asDouble())).append(" |\n"));
        }
        if (chartFile != null) {
            sb.append("\n![accuracy](").append(chartFile).append(")\n");
        }
        return sb.toString();
    }

    private static void row(StringBuilder sb, String k, String v) {
        sb.append("| ").append(k).append(" | ").append(v).append(" |\n");
    }

    static String pct(double v) {
        return String.format(Locale.ROOT, "%.2f%%", 100 * v);
    }
}
