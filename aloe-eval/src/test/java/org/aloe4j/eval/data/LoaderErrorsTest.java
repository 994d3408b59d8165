package org.aloe4j.eval.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Conventions and bad rows, on small files written here. */
class LoaderErrorsTest {

    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        return p;
    }

    private static String mcqa(String q, int cop) {
        return "{\"question\":\"" + q + "\",\"opa\":\"a\",\"opb\":\"b\",\"opc\":\"c\",\"opd\":\"d\",\"cop\":" + cop
                + ",\"id\":\"" + q + "\",\"subject_name\":\"S\"}\n";
    }

    @Test
    void medmcqaHuggingFaceCopyIsZeroBased() throws IOException {
        Path f = write("hf.jsonl", mcqa("q1", 0) + mcqa("q2", 3) + mcqa("q3", 1));
        LoadResult r = new MedMcqaLoader().load(f, LoaderOptions.defaults());
        assertEquals(List.of("A", "D", "B"), r.questions().stream().map(Question::gold).toList());
        assertTrue(r.notes().getFirst().contains("cop is 0-based (0..3)"), r.notes().toString());
    }

    @Test
    void medmcqaThatCannotTellItsConventionIsRefusedUnlessTold() throws IOException {
        Path f = write("amb.jsonl", mcqa("q1", 1) + mcqa("q2", 2) + mcqa("q3", 3));
        var e = assertThrows(DatasetException.class, () -> new MedMcqaLoader().load(f, LoaderOptions.defaults()));
        assertTrue(e.getMessage().contains("cannot tell whether 'cop' counts from 0 or 1 (values seen: [1, 2, 3])"),
                e.getMessage());
        LoadResult told = new MedMcqaLoader().load(f, new LoaderOptions(1));
        assertEquals(List.of("A", "B", "C"), told.questions().stream().map(Question::gold).toList());
        assertTrue(told.notes().getFirst().contains("(as told)"));
        Path both = write("both.jsonl", mcqa("q1", 0) + mcqa("q2", 4));
        assertThrows(DatasetException.class, () -> new MedMcqaLoader().load(both, LoaderOptions.defaults()));
    }

    @Test
    void badRowsAreReportedWithFileAndLineAndTheRestIsLoaded() throws IOException {
        String good = "{\"question\":\"Q\",\"options\":{\"A\":\"x\",\"B\":\"y\",\"C\":\"z\",\"D\":\"w\"},"
                + "\"answer_idx\":\"C\",\"answer\":\"z\"}";
        Path f = write("medqa.jsonl", good + "\n"
                + "{not json\n"
                + "\n"
                + "{\"question\":\"Q\",\"options\":{\"A\":\"x\",\"B\":\"y\"},\"answer_idx\":\"E\"}\n"
                + "{\"question\":\"Q\",\"options\":{\"A\":\"x\",\"B\":\"y\"},\"answer_idx\":\"A\",\"answer\":\"y\"}\n"
                + "[1,2]\n"
                + good + "\n");
        LoadResult r = new MedQaLoader().load(f, LoaderOptions.defaults());
        assertEquals(List.of("medqa:1", "medqa:7"), r.questions().stream().map(Question::id).toList());
        assertEquals(List.of(2L, 4L, 5L, 6L), r.errors().stream().map(RowError::line).toList());
        assertTrue(r.errors().get(0).toString().startsWith(f + ":2: not valid JSON"), r.errors().get(0).toString());
        assertTrue(r.errors().get(1).message().contains("answer_idx 'E' is not an option letter"));
        assertTrue(r.errors().get(2).message().contains("answer_idx A is \"x\" but answer is \"y\""));
        assertEquals("not a JSON object", r.errors().get(3).message());
    }

    @Test
    void mmluCsvWithQuotedMultiLineFieldsKeepsRecordLineNumbers() throws IOException {
        Path test = write("anatomy_test.csv",
                "\"First line\nsecond line of the question\",a,\"b, with comma\",c,d,B\n"
                        + "Short question,a,b,c,d,Z\n"
                        + "\"Another \"\"quoted\"\"\nquestion\",a,b,c,d,D\n"
                        + "too,few,fields\n"
                        + "Last,a,b,c,d,A\n");
        LoadResult r = new MmluLoader().load(test, LoaderOptions.defaults());
        assertEquals(List.of("anatomy:1", "anatomy:3", "anatomy:5"), r.questions().stream().map(Question::id).toList());
        assertEquals("First line\nsecond line of the question", r.questions().get(0).question());
        assertEquals("b, with comma", r.questions().get(0).options().get(1));
        assertEquals("Another \"quoted\"\nquestion", r.questions().get(1).question());
        assertEquals(List.of("B", "D", "A"), r.questions().stream().map(Question::gold).toList());
        assertEquals(List.of(3L, 6L), r.errors().stream().map(RowError::line).toList());
        assertTrue(r.errors().get(0).message().contains("answer 'Z' is not A, B, C or D"));
        assertTrue(r.errors().get(1).message().contains("3 fields"));
    }

    @Test
    void careqaJsonlAndCsv() throws IOException {
        Path jsonl = write("careqa_en.jsonl",
                "{\"question\":\"q1\",\"op1\":\"a\",\"op2\":\"b\",\"op3\":\"c\",\"op4\":\"d\",\"cop\":4,"
                        + "\"category\":\"Medicine\",\"unique_id\":\"u1\"}\n"
                        + "{\"question\":\"q2\",\"op1\":\"a\",\"op2\":\"b\",\"op3\":\"c\",\"op4\":\"d\",\"cop\":1,"
                        + "\"category\":\"Nursing\",\"unique_id\":\"u2\"}\n");
        LoadResult r = new CareQaLoader().load(jsonl, LoaderOptions.defaults());
        assertEquals(List.of("D", "A"), r.questions().stream().map(Question::gold).toList());
        assertEquals(List.of("Medicine", "Nursing"), r.questions().stream().map(Question::subject).toList());
        assertTrue(r.notes().getFirst().contains("English"));

        Path csv = write("careqa_es.csv", "exam_id,question,op1,op2,op3,op4,cop,year,category,unique_id\n"
                + "1,\"¿Cuál es,\nla respuesta?\",uno,dos,tres,cuatro,2,2024,Medicina,e1\n"
                + "1,otra,uno,dos,tres,cuatro,4,2024,Medicina,e2\n"
                + "1,mala,uno,dos,tres,,3,2024,Medicina,e3\n");
        LoadResult c = new CareQaLoader().load(csv, LoaderOptions.defaults());
        assertEquals(List.of("e1", "e2"), c.questions().stream().map(Question::id).toList());
        assertEquals("¿Cuál es,\nla respuesta?", c.questions().getFirst().question());
        assertEquals(List.of("B", "D"), c.questions().stream().map(Question::gold).toList());
        assertEquals(List.of(5L), c.errors().stream().map(RowError::line).toList());
        assertTrue(c.notes().getFirst().contains("Spanish"));
    }

    @Test
    void genericJsonlAcceptsLettersIndicesAndTexts() throws IOException {
        Path f = write("mine.jsonl",
                "{\"id\":\"a\",\"question\":\"q\",\"options\":[\"x\",\"y\",\"z\"],\"answer\":\"C\"}\n"
                        + "{\"id\":\"b\",\"question\":\"q\",\"options\":{\"A\":\"x\",\"B\":\"y\"},\"answer\":\"y\"}\n"
                        + "{\"id\":\"c\",\"question\":\"q\",\"options\":[\"x\",\"y\",\"z\"],\"answer\":0,"
                        + "\"subject\":\"s\",\"context\":\"ctx\"}\n"
                        + "{\"id\":\"d\",\"question\":\"q\",\"options\":[\"x\",\"y\",\"z\"],\"answer\":2}\n"
                        + "{\"id\":\"e\",\"question\":\"q\",\"options\":[\"x\",\"y\"],\"answer\":\"nope\"}\n"
                        + "{\"id\":\"a\",\"question\":\"q\",\"options\":[\"x\",\"y\"],\"answer\":\"A\"}\n");
        LoadResult r = new JsonlLoader().load(f, LoaderOptions.defaults());
        assertEquals(List.of("a", "b", "c", "d"), r.questions().stream().map(Question::id).toList());
        assertEquals(List.of("C", "B", "A", "C"), r.questions().stream().map(Question::gold).toList());
        assertEquals("ctx", r.questions().get(2).context());
        assertEquals(List.of(5L, 6L), r.errors().stream().map(RowError::line).toList());
        assertTrue(r.errors().get(1).message().contains("id 'a' already used"));
        assertTrue(r.notes().getFirst().contains("0-based"));
    }

    @Test
    void missingPathIsAClearError() {
        var e = assertThrows(DatasetException.class,
                () -> new MedQaLoader().load(dir.resolve("nope.jsonl"), LoaderOptions.defaults()));
        assertTrue(e.getMessage().endsWith("nope.jsonl: no such file or directory"));
    }

    @Test
    void reorderedQuestionMovesTheGoldLetterWithItsOption() {
        Question q = new Question("x", "", "", "q", List.of("a", "b", "c", "d"), "B");
        Question r = q.reordered(new int[] {3, 1, 0, 2});
        assertEquals(List.of("d", "b", "a", "c"), r.options());
        assertEquals("B", r.gold());
        Question s = q.reordered(new int[] {1, 0, 2, 3});
        assertEquals("A", s.gold());
        assertThrows(IllegalArgumentException.class, () -> q.reordered(new int[] {0, 0, 1, 2}));
    }
}
