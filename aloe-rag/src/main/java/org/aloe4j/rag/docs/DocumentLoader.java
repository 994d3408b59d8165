package org.aloe4j.rag.docs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.aloe4j.rag.RagException;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.encryption.InvalidPasswordException;
import org.apache.pdfbox.text.PDFTextStripper;

/**
 * Reads the text of a document by its extension: {@code .txt}, {@code .md}/{@code .markdown} (UTF-8, one section),
 * {@code .jsonl} (one section per line, from its {@code text} field), {@code .pdf} (one section per page, via
 * Apache PDFBox).
 */
public final class DocumentLoader {

    public static final Set<String> EXTENSIONS = Set.of("txt", "md", "markdown", "jsonl", "pdf");

    /** Told about parts of a file that were skipped (a JSON line without text...), as "file:line: problem". */
    @FunctionalInterface
    public interface Warnings {
        void skipped(String where, String problem);
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private DocumentLoader() {}

    public static boolean isSupported(Path file) {
        return EXTENSIONS.contains(extension(file));
    }

    static String extension(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    /** The sections of {@code file}, in order; empty sections are left out. */
    public static List<Section> load(Path file, Warnings warnings) {
        String ext = extension(file);
        try {
            return switch (ext) {
                case "txt", "md", "markdown" -> text(file);
                case "jsonl" -> jsonLines(file, warnings);
                case "pdf" -> pdf(file);
                default -> throw new RagException(file + ": unsupported document type '" + ext + "' (supported: "
                        + String.join(", ", EXTENSIONS.stream().sorted().toList()) + ")");
            };
        } catch (NoSuchFileException e) {
            throw new RagException(file + ": no such file");
        } catch (CharacterCodingException e) {
            throw new RagException(file + ": not UTF-8 text");
        } catch (InvalidPasswordException e) {
            throw new RagException(file + ": PDF is encrypted");
        } catch (IOException e) {
            throw new RagException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static List<Section> text(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        return text.isBlank() ? List.of() : List.of(new Section("", text));
    }

    private static List<Section> jsonLines(Path file, Warnings warnings) throws IOException {
        List<Section> out = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int n = 0;
            while ((line = reader.readLine()) != null) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node;
                try {
                    node = JSON.readTree(line);
                } catch (JsonProcessingException e) {
                    warnings.skipped(file + ":" + n, "not JSON: " + e.getOriginalMessage());
                    continue;
                }
                JsonNode text = node == null ? null : node.get("text");
                if (text == null || !text.isTextual()) {
                    warnings.skipped(file + ":" + n, "no 'text' string field");
                } else if (!text.asText().isBlank()) {
                    out.add(new Section("line " + n, text.asText()));
                }
            }
        }
        return out;
    }

    private static List<Section> pdf(Path file) throws IOException {
        List<Section> out = new ArrayList<>();
        try (PDDocument doc = Loader.loadPDF(file.toFile())) {
            PDFTextStripper stripper = new PDFTextStripper();
            stripper.setSortByPosition(true);
            for (int page = 1; page <= doc.getNumberOfPages(); page++) {
                stripper.setStartPage(page);
                stripper.setEndPage(page);
                String text = stripper.getText(doc);
                if (!text.isBlank()) {
                    out.add(new Section("page " + page, text));
                }
            }
        } catch (NoSuchFileException | InvalidPasswordException e) {
            throw e;
        } catch (IOException e) {
            throw new RagException(file + ": not a readable PDF: " + e.getMessage(), e);
        }
        return out;
    }
}
