package org.aloe4j.eval.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads a CSV file with a header row into one JSON object of text fields per record, with its first line. */
final class CsvRows {
    private CsvRows() {}

    private static final CsvMapper CSV = new CsvMapper();

    static void read(Path file, List<RowError> errors, JsonRows.RowHandler handler) {
        String content;
        try {
            content = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot read: " + e.getMessage(), e);
        }
        try (CsvParser p = (CsvParser) CSV.getFactory().createParser(content)) {
            List<String> header = null;
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t != JsonToken.START_ARRAY) {
                    continue;
                }
                // the record's line is its first value's: START_ARRAY still carries the previous record's position
                long line = 0;
                List<String> fields = new ArrayList<>();
                while ((t = p.nextToken()) != JsonToken.END_ARRAY && t != null) {
                    if (fields.isEmpty()) {
                        line = p.currentTokenLocation().getLineNr();
                    }
                    fields.add(p.getText());
                }
                if (fields.size() == 1 && fields.getFirst().isBlank()) {
                    continue;
                }
                if (header == null) {
                    header = fields.stream().map(h -> h.replace("\uFEFF", "").strip()).toList();
                    continue;
                }
                if (fields.size() != header.size()) {
                    errors.add(new RowError(file, line, fields.size() + " fields, the header has " + header.size()));
                    continue;
                }
                ObjectNode row = JsonRows.JSON.createObjectNode();
                for (int i = 0; i < header.size(); i++) {
                    row.put(header.get(i), fields.get(i));
                }
                handler.row(line, row);
            }
        } catch (JsonProcessingException e) {
            errors.add(new RowError(file, e.getLocation() == null ? 0 : e.getLocation().getLineNr(),
                    "malformed CSV (the rest of the file is skipped): " + e.getOriginalMessage()));
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** JSON rows or CSV rows by the file's extension. */
    static void readAny(Path file, List<RowError> errors, JsonRows.RowHandler handler) {
        if (file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".csv")) {
            read(file, errors, handler);
        } else {
            JsonRows.read(file, errors, handler);
        }
    }
}
