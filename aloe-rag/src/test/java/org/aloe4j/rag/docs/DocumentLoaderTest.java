package org.aloe4j.rag.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.aloe4j.rag.RagException;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DocumentLoaderTest {

    @TempDir
    Path dir;

    /** A PDF with one line of text per page, made with PDFBox. */
    static Path pdf(Path file, String... pages) throws Exception {
        try (PDDocument doc = new PDDocument()) {
            for (String text : pages) {
                PDPage page = new PDPage();
                doc.addPage(page);
                try (PDPageContentStream cs = new PDPageContentStream(doc, page)) {
                    cs.beginText();
                    cs.setFont(new PDType1Font(Standard14Fonts.FontName.HELVETICA), 12);
                    cs.newLineAtOffset(72, 700);
                    cs.showText(text);
                    cs.endText();
                }
            }
            doc.save(file.toFile());
        }
        return file;
    }

    @Test
    void pdfGivesOneSectionPerPage() throws Exception {
        Path f = pdf(dir.resolve("guide.pdf"), "Hypertension is high blood pressure.", "",
                "Statins lower LDL cholesterol.");
        List<Section> sections = DocumentLoader.load(f, (w, p) -> {});
        assertEquals(2, sections.size(), "blank page left out");
        assertEquals("page 1", sections.get(0).location());
        assertEquals("Hypertension is high blood pressure.", sections.get(0).text().strip());
        assertEquals("page 3", sections.get(1).location());
        assertEquals("Statins lower LDL cholesterol.", sections.get(1).text().strip());
    }

    @Test
    void textMarkdownAndJsonLines() throws Exception {
        Files.writeString(dir.resolve("a.txt"), "Plain text.");
        Files.writeString(dir.resolve("b.md"), "# Title\n\nBody.");
        Files.writeString(dir.resolve("c.jsonl"), "{\"text\": \"first\"}\n\n{\"title\": \"no text\"}\n{oops\n"
                + "{\"text\": \"fifth\", \"id\": 5}\n");
        assertEquals(List.of(new Section("", "Plain text.")), DocumentLoader.load(dir.resolve("a.txt"), null));
        assertEquals(List.of(new Section("", "# Title\n\nBody.")), DocumentLoader.load(dir.resolve("b.md"), null));
        List<String> warnings = new ArrayList<>();
        List<Section> lines = DocumentLoader.load(dir.resolve("c.jsonl"), (w, p) -> warnings.add(w + ": " + p));
        assertEquals(List.of(new Section("line 1", "first"), new Section("line 5", "fifth")), lines);
        assertEquals(2, warnings.size());
        assertEquals(dir.resolve("c.jsonl") + ":3: no 'text' string field", warnings.get(0));
        assertTrue(warnings.get(1).startsWith(dir.resolve("c.jsonl") + ":4: not JSON"), warnings.get(1));
    }

    @Test
    void badFilesGiveOneLineErrors() throws Exception {
        Path docx = Files.writeString(dir.resolve("x.docx"), "?");
        assertEquals(docx + ": unsupported document type 'docx' (supported: jsonl, markdown, md, pdf, txt)",
                assertThrows(RagException.class, () -> DocumentLoader.load(docx, null)).getMessage());
        Path fake = Files.writeString(dir.resolve("fake.pdf"), "not a pdf at all");
        assertTrue(assertThrows(RagException.class, () -> DocumentLoader.load(fake, null)).getMessage()
                .startsWith(fake + ": not a readable PDF"));
        Path latin1 = Files.write(dir.resolve("l.txt"), new byte[] {'c', 'a', 'f', (byte) 0xE9});
        assertEquals(latin1 + ": not UTF-8 text",
                assertThrows(RagException.class, () -> DocumentLoader.load(latin1, null)).getMessage());
        Path absent = dir.resolve("absent.md");
        assertEquals(absent + ": no such file",
                assertThrows(RagException.class, () -> DocumentLoader.load(absent, null)).getMessage());
    }
}
