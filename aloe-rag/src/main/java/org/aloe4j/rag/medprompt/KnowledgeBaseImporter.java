package org.aloe4j.rag.medprompt;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.aloe4j.rag.RagException;

/**
 * Loads a prebuilt knowledge base from JSON lines (one {@link ExampleParser} object per line) into a
 * {@link KnowledgeBase}, in batches. A bad line is reported with its number and skipped; the import goes on.
 */
public final class KnowledgeBaseImporter {

    /** What the importer tells while it works. */
    public interface Listener {
        /** {@code line} (1-based) of {@code file} was skipped because of {@code problem}. */
        void badLine(Path file, long line, String problem);

        /** After each stored batch: lines read so far and examples stored so far. */
        void progress(long linesRead, long examplesStored);
    }

    /** Totals of one import: non-blank lines read, examples stored, lines skipped as bad. */
    public record Report(long lines, long imported, long bad) {}

    private final KnowledgeBase base;
    private final int batchSize;

    public KnowledgeBaseImporter(KnowledgeBase base, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1");
        }
        this.base = base;
        this.batchSize = batchSize;
    }

    public Report importJsonl(Path file, Listener listener) {
        long lineNumber = 0;
        long lines = 0;
        long imported = 0;
        long bad = 0;
        List<Example> batch = new ArrayList<>(batchSize);
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = reader.readLine()) != null) {
                lineNumber++;
                if (line.isBlank()) {
                    continue;
                }
                lines++;
                try {
                    batch.add(ExampleParser.parse(line));
                } catch (IllegalArgumentException e) {
                    bad++;
                    listener.badLine(file, lineNumber, e.getMessage());
                    continue;
                }
                if (batch.size() == batchSize) {
                    base.add(batch);
                    imported += batch.size();
                    batch.clear();
                    listener.progress(lines, imported);
                }
            }
        } catch (NoSuchFileException e) {
            throw new RagException(file + ": no such file");
        } catch (CharacterCodingException e) {
            throw new RagException(file + ":" + (lineNumber + 1) + ": not UTF-8 text");
        } catch (IOException e) {
            throw new RagException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (!batch.isEmpty()) {
            base.add(batch);
            imported += batch.size();
            listener.progress(lines, imported);
        }
        base.commit();
        return new Report(lines, imported, bad);
    }
}
