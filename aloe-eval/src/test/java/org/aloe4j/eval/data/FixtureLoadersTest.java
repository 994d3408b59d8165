package org.aloe4j.eval.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.aloe4j.Fixtures;
import org.junit.jupiter.api.Test;

/**
 * Reads every sample under {@code shared/fixtures/medqa} (the official formats, first 30 items each). The expected
 * gold letters were read by hand from the raw files (answer_idx / cop / ground truth / last CSV column).
 */
class FixtureLoadersTest {

    private static Question byId(LoadResult r, String id) {
        return r.questions().stream().filter(q -> q.id().equals(id)).findFirst().orElseThrow(() ->
                new AssertionError("no item " + id));
    }

    private static Map<String, Long> goldCounts(LoadResult r) {
        return r.questions().stream().collect(Collectors.groupingBy(Question::gold, Collectors.counting()));
    }

    @Test
    void medqa() {
        Path f = Fixtures.file("medqa/medqa/phrases_no_exclude_test.first30.jsonl");
        LoadResult r = new MedQaLoader().load(f, LoaderOptions.defaults());
        assertEquals(List.of(), r.errors());
        assertEquals(30, r.questions().size());
        Question q1 = r.questions().getFirst();
        assertEquals("phrases_no_exclude_test.first30:1", q1.id());
        assertEquals("B", q1.gold());
        assertEquals("Tell the attending that he cannot fail to disclose this mistake", q1.options().get(1));
        assertEquals("step1", q1.subject());
        assertTrue(q1.question().startsWith("A junior orthopaedic surgery resident is completing a carpal"));
        assertEquals("D", byId(r, "phrases_no_exclude_test.first30:2").gold());
        assertEquals("Cross-linking of DNA", byId(r, "phrases_no_exclude_test.first30:2").options().get(3));
        assertEquals("C", byId(r, "phrases_no_exclude_test.first30:15").gold());
        assertEquals("Rotavirus", byId(r, "phrases_no_exclude_test.first30:15").options().get(2));
        assertEquals("C", byId(r, "phrases_no_exclude_test.first30:30").gold());
        assertEquals("step2&3", byId(r, "phrases_no_exclude_test.first30:30").subject());
        assertTrue(r.questions().stream().allMatch(q -> q.options().size() == 4));
    }

    @Test
    void medmcqaDetectsOneBasedCop() {
        Path f = Fixtures.file("medqa/medmcqa/dev.first30.json");
        LoadResult r = new MedMcqaLoader().load(f, LoaderOptions.defaults());
        assertEquals(List.of(), r.errors());
        assertEquals(30, r.questions().size());
        // raw cop counts in the file: 1 x15, 2 x8, 3 x4, 4 x3
        assertEquals(Map.of("A", 15L, "B", 8L, "C", 4L, "D", 3L), goldCounts(r));
        assertTrue(r.notes().getFirst().contains("cop is 1-based"), r.notes().toString());
        Question q = byId(r, "45258d3d-b974-44dd-a161-c3fccbdadd88");
        assertEquals("A", q.gold());
        assertEquals("Physiology", q.subject());
        assertEquals("Impulse through myelinated fibers is slower than non-myelinated fibers", q.options().get(0));
        assertEquals("B", byId(r, "de09d388-bd4e-42a9-ac6b-ee2d95f822e2").gold()); // cop 2, Pulmonary atresia
        assertEquals("Pulmonary atresia", byId(r, "de09d388-bd4e-42a9-ac6b-ee2d95f822e2").options().get(1));
        Question last = r.questions().getLast();
        assertEquals("f0f91922-12fd-4213-871c-19e47532a6d6", last.id());
        assertEquals("C", last.gold()); // cop 3, Student's T-test
        assertEquals("Social & Preventive Medicine", last.subject());
    }

    @Test
    void pubmedqa() {
        Path dir = Fixtures.file("medqa/pubmedqa");
        LoadResult r = new PubMedQaLoader().load(dir, LoaderOptions.defaults());
        assertEquals(List.of(), r.errors());
        assertEquals(30, r.questions().size());
        assertEquals(Map.of("A", 30L), goldCounts(r), "the first 30 test PMIDs are all 'yes'");
        Question q = r.questions().getFirst();
        assertEquals("12377809", q.id());
        assertEquals("Is anorectal endosonography valuable in dyschesia?", q.question());
        assertEquals(List.of("yes", "no", "maybe"), q.options());
        assertTrue(q.context().startsWith("Dyschesia can be provoked by inappropriate defecation movements."));
        assertEquals(3, q.context().split("\n").length, "three CONTEXTS joined by newlines");
        assertEquals("26163474", r.questions().get(1).id());
        assertEquals("24352924", r.questions().getLast().id());
        assertEquals(5, r.questions().getLast().context().split("\n").length);
        // the ori_pqal file alone finds its ground truth beside it
        LoadResult viaFile = new PubMedQaLoader().load(dir.resolve("ori_pqal.test_first30.json"),
                LoaderOptions.defaults());
        assertEquals(30, viaFile.questions().size());
    }

    @Test
    void mmluFolderReadsTestFilesAndDevExemplars() {
        Path dir = Fixtures.file("medqa/mmlu");
        LoadResult r = new MmluLoader().load(dir, LoaderOptions.defaults());
        assertEquals(List.of(), r.errors());
        assertEquals(60, r.questions().size());
        Map<String, Long> bySubject = r.questions().stream()
                .collect(Collectors.groupingBy(Question::subject, Collectors.counting()));
        assertEquals(Map.of("anatomy", 30L, "professional_medicine", 30L), bySubject);
        assertEquals(6, r.exemplars().size());
        for (String s : MmluLoader.MEDICAL_SUBJECTS) {
            assertEquals(5, r.exemplars().get(s).size(), s);
        }
        assertEquals(List.of("D", "D", "C", "C", "B"),
                r.exemplars().get("anatomy").stream().map(Question::gold).toList());
        assertEquals(List.of("A", "D", "C", "A", "B"),
                r.exemplars().get("college_medicine").stream().map(Question::gold).toList());
        assertEquals("Glucose is transported into the muscle cell:",
                r.exemplars().get("college_medicine").getFirst().question());

        assertEquals("A", byId(r, "anatomy:1").gold());
        assertTrue(byId(r, "anatomy:1").question().startsWith("A lesion causing compression of the facial nerve"));
        assertEquals("paralysis of the facial muscles.", byId(r, "anatomy:1").options().get(0));
        assertEquals("B", byId(r, "anatomy:2").gold());
        assertEquals("A \"dished face\" profile is often associated with", byId(r, "anatomy:2").question());
        assertEquals("D", byId(r, "anatomy:13").gold());
        assertEquals("B", byId(r, "anatomy:30").gold());
        assertEquals("C", byId(r, "professional_medicine:1").gold());
        assertEquals("C", byId(r, "professional_medicine:2").gold());
        assertEquals("D", byId(r, "professional_medicine:13").gold());
        assertEquals("D", byId(r, "professional_medicine:30").gold());
        Map<String, Long> anatomyGold = r.questions().stream().filter(q -> q.subject().equals("anatomy"))
                .collect(Collectors.groupingBy(Question::gold, Collectors.counting()));
        assertEquals(Map.of("A", 5L, "B", 10L, "C", 9L, "D", 6L), anatomyGold);
    }

    @Test
    void mmluSingleFileFindsItsDevExemplarsInTheSiblingFolder() {
        Path f = Fixtures.file("medqa/mmlu/test/professional_medicine_test.first30.csv");
        LoadResult r = new MmluLoader().load(f, LoaderOptions.defaults());
        assertEquals(30, r.questions().size());
        assertEquals(List.of("professional_medicine"), List.copyOf(r.exemplars().keySet()));
        assertEquals(List.of("D", "D", "D", "D", "C"),
                r.exemplars().get("professional_medicine").stream().map(Question::gold).toList());
    }
}
