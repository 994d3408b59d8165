package org.aloe4j.eval.openended;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * ROUGE against rouge-score's documented examples: google-research/google-research {@code rouge/rouge_scorer_test.py}
 * (the simple cases, and {@code testRouge{1,2,L}AgainstRouge155[WithStemming]} on lines 0 and 1 of
 * {@code rouge/testdata/target.txt} / {@code prediction.txt}, whose ROUGE-1.5.5 figures it gives to 5 decimals),
 * the README example, and {@code testRougeLsum}. The exact fractions below reproduce those 5-decimal figures; they
 * were also computed at full precision by a port of rouge_scorer.py run with nltk 3.8's PorterStemmer.
 */
class RougeTest {

    private static final double EXACT = 1e-6;

    // rouge/testdata/target.txt and prediction.txt (Apache-2.0, random strings), lines 0 and 1
    private static final String TARGET_0 = "ZfbCUIUuePaiLVUlCaUXxkpu XPeWing tUHfPMuZ',-Xd Y BrUgVJing M-HV.-DgdDaY"
            + ".rFDJCRing Ht-LM EKBDXkME,yz'RBr q'wtion wIojNbN wL,b .a-'XdQggyFl jB-RPP'iyOIcUxer tKM L";
    private static final String TARGET_1 = "KsJdPByEtAor fE-Qg Dpdbring cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion"
            + " BDFhrpMtion psing sbKao Q m qiing LMmer HqqLFXe,XPY,J XsurkMer ,ed nB'wH'bWVHjWFEing"
            + " tQ.saefZwJtKrTlixYpMMsJing UCAPwNHeYVjDing c T BUySKtion gMPfJpwGw p'NvxAoping eu pBwMBKV'I"
            + " DNxqelhu,PHPxDEq,mtion SN";
    private static final String PREDICTION_0 = "rFDJCRtion Ht-LM EKtDXkME,yz'RBr q'wer wrojNbN wL,b"
            + " .a-'XdQggyFl jB-RPP'iyOIcUxi";
    private static final String PREDICTION_1 = "n cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMer pstion sbKao Q m"
            + " qier LMmed HqqLFXe,XPY,J XsurkMeo ,ed nB'wH'bWVHjWFEer tQ.saefZwJtKrTlixYpMMNJtion UCAPwNHeYVjD";

    private static void assertScore(double p, double r, double f, RougeScore s) {
        assertEquals(p, s.precision(), EXACT, "precision");
        assertEquals(r, s.recall(), EXACT, "recall");
        assertEquals(f, s.fmeasure(), EXACT, "fmeasure");
    }

    /** Also within half a unit of the 5th decimal of the ROUGE-1.5.5 figures quoted in rouge_scorer_test.py. */
    private static void assertPublished(double p, double r, double f, RougeScore s) {
        assertEquals(p, s.precision(), 5e-6);
        assertEquals(r, s.recall(), 5e-6);
        assertEquals(f, s.fmeasure(), 5e-6);
    }

    @Test
    void simpleCasesOfRougeScorerTest() {
        Rouge rouge = new Rouge(false);
        assertScore(1, 1.0 / 3, 0.5, rouge.rougeN("testing one two", "testing", 1));
        assertScore(1, 0.5, 2.0 / 3, rouge.rougeN("testing one two", "testing one", 2));
        assertScore(1, 2.0 / 3, 0.8, rouge.rougeL("testing one two", "testing one"));
        assertScore(1, 2.0 / 3, 0.8, rouge.rougeL("testing one two", "testing two"));
        assertScore(1, 2.0 / 3, 0.8, rouge.rougeN("testing one two", "testing one", 1));
        for (RougeScore s : List.of(rouge.rougeN("testing one two", "", 1), rouge.rougeN("testing one two", "", 2),
                rouge.rougeL("testing one two", ""), rouge.rougeLsum("testing one two", ""))) {
            assertScore(0, 0, 0, s);
        }
    }

    @Test
    void againstRouge155WithoutStemming() {
        Rouge rouge = new Rouge(false);
        RougeScore r1 = rouge.rougeN(TARGET_0, PREDICTION_0, 1);
        assertScore(11.0 / 16, 11.0 / 27, 22.0 / 43, r1);
        assertPublished(0.68750, 0.40741, 0.51163, r1);
        RougeScore r1b = rouge.rougeN(TARGET_1, PREDICTION_1, 1);
        assertScore(17.0 / 26, 17.0 / 42, 0.5, r1b);
        assertPublished(0.65385, 0.40476, 0.50000, r1b);
        RougeScore r2 = rouge.rougeN(TARGET_0, PREDICTION_0, 2);
        assertScore(8.0 / 15, 4.0 / 13, 16.0 / 41, r2);
        assertPublished(0.53333, 0.30769, 0.39024, r2);
        RougeScore r2b = rouge.rougeN(TARGET_1, PREDICTION_1, 2);
        assertScore(12.0 / 25, 12.0 / 41, 4.0 / 11, r2b);
        assertPublished(0.48000, 0.29268, 0.36364, r2b);
        assertPublished(0.68750, 0.40741, 0.51163, rouge.rougeL(TARGET_0, PREDICTION_0));
        assertScore(17.0 / 26, 17.0 / 42, 0.5, rouge.rougeL(TARGET_1, PREDICTION_1));
        assertPublished(0.65385, 0.40476, 0.50000, rouge.rougeL(TARGET_1, PREDICTION_1));
    }

    @Test
    void againstRouge155WithStemming() {
        Rouge rouge = new Rouge(true);
        assertPublished(0.68750, 0.40741, 0.51163, rouge.rougeN(TARGET_0, PREDICTION_0, 1));
        RougeScore r1b = rouge.rougeN(TARGET_1, PREDICTION_1, 1);
        assertScore(9.0 / 13, 3.0 / 7, 9.0 / 17, r1b); // stemming -er/-ing/-tion endings adds one match
        assertPublished(0.69231, 0.42857, 0.52941, r1b);
        assertPublished(0.53333, 0.30769, 0.39024, rouge.rougeN(TARGET_0, PREDICTION_0, 2));
        assertPublished(0.48000, 0.29268, 0.36364, rouge.rougeN(TARGET_1, PREDICTION_1, 2));
    }

    @Test
    void readmeExampleWithStemmer() {
        // scorer = RougeScorer(['rouge1', 'rougeL'], use_stemmer=True)
        // scorer.score('The quick brown fox jumps over the lazy dog', 'The quick brown dog jumps on the log.')
        // by hand: 6 of 8 prediction unigrams match (the x2, quick, brown, dog, jump); LCS "the quick brown jump the" = 5
        Rouge rouge = new Rouge(true);
        String t = "The quick brown fox jumps over the lazy dog";
        String p = "The quick brown dog jumps on the log.";
        assertScore(0.75, 2.0 / 3, 12.0 / 17, rouge.rougeN(t, p, 1));
        assertScore(0.625, 5.0 / 9, 10.0 / 17, rouge.rougeL(t, p));
        assertScore(2.0 / 7, 0.25, 4.0 / 15, rouge.rougeN(t, p, 2));
    }

    @Test
    void rougeLsumUnionLcs() {
        Rouge rouge = new Rouge(false);
        // testRougeLsum: union LCS of [w1 w2] and [w1 w3 w5] over the reference = 4 of 5 reference, 4 of 10 candidate
        RougeScore s = rouge.rougeLsum("w1 w2 w3 w4 w5", "w1 w2 w6 w7 w8\nw1 w3 w8 w9 w5");
        assertScore(0.4, 0.8, 0.4 * 0.8 * 2 / 1.2, s);
        assertScore(0, 0, 0, rouge.rougeLsum("", "w1"));
        assertScore(0, 0, 0, rouge.rougeLsum("w1 w2 w3 w4 w5", "/"));
        // testLcsTable: ref [1 2 3 4 5], candidate [2 5 3 4] -> LCS length 3, indices [1, 2, 3]
        List<String> ref = List.of("1", "2", "3", "4", "5");
        List<String> can = List.of("2", "5", "3", "4");
        assertEquals(3, Rouge.lcsTable(ref, can)[5][4]);
        assertEquals(List.of(1, 2, 3), Rouge.lcsIndices(ref, can));
        assertEquals(List.of(), Rouge.lcsIndices(ref, List.of("8", "9")));
    }

    @Test
    void tokenizerLowercasesSplitsOnNonAlphanumericsAndStemsLongTokens() {
        // expected lists from rouge-score's tokenize() (ported) with nltk 3.8
        assertEquals(List.of("the", "patient", "s", "hba1c", "was", "7", "2"),
                new Rouge(false).tokenize("The patient's HbA1c was 7.2%"));
        assertEquals(List.of("the", "patient", "s", "hba1c", "was", "7", "2"),
                new Rouge(true).tokenize("The patient's HbA1c was 7.2%"), "'was' has 3 letters: not stemmed");
        assertEquals(List.of("running", "faster", "caf", "hospitalization"),
                new Rouge(false).tokenize("Running FASTER café, hospitalization"));
        assertEquals(List.of("run", "faster", "caf", "hospit"),
                new Rouge(true).tokenize("Running FASTER café, hospitalization"));
    }

    @Test
    void porterStemmerAgreesWithNltkOnEveryListedWord() throws IOException {
        PorterStemmer stemmer = new PorterStemmer();
        List<String> mismatches = new ArrayList<>();
        int n = 0;
        try (var in = getClass().getResourceAsStream("porter-nltk38.tsv");
             var r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t");
                n++;
                String got = stemmer.stem(f[0]);
                if (!got.equals(f[1])) {
                    mismatches.add(f[0] + " -> " + got + " (nltk: " + f[1] + ")");
                }
            }
        }
        assertEquals(4030, n);
        assertEquals(List.of(), mismatches);
    }
}
