package org.aloe4j.eval.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.aloe4j.eval.data.Benchmark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {

    @TempDir
    Path tmp;

    @Test
    void wilsonMatchesNewcombesPublishedIntervals() {
        // Newcombe (1998), Statistics in Medicine 17:857-872, Table I, method 3 (score interval), 4 decimals
        assertArrayEquals(new double[] {0.2553, 0.3662}, Wilson.interval95(81, 263), 5e-5);
        assertArrayEquals(new double[] {0.0624, 0.1605}, Wilson.interval95(15, 148), 5e-5);
        assertArrayEquals(new double[] {0.0, 0.1611}, Wilson.interval95(0, 20), 5e-5);
        assertArrayEquals(new double[] {0.0061, 0.1718}, Wilson.interval95(1, 29), 5e-5);
    }

    @Test
    void wilsonByHand() {
        // p = 7/10, z = 1.959964: centre = (0.7 + z²/20)/(1 + z²/10) = 0.64449..., half = 0.24771...
        assertArrayEquals(new double[] {0.3967781475, 0.8922087326}, Wilson.interval95(7, 10), 1e-9);
        assertArrayEquals(new double[] {0.4385029682, 1.0}, Wilson.interval95(3, 3), 1e-9);
        assertArrayEquals(new double[] {0.0, 1.0}, Wilson.interval95(0, 0), 0.0);
        assertThrows(IllegalArgumentException.class, () -> Wilson.interval95(4, 3));
    }

    @Test
    void publishedRowsFollowTheModelFamilyAndSize() {
        var q7 = PublishedFigures.rowsFor(Benchmark.MEDQA, "HPAI-BSC/Qwen2.5-Aloe-Beta-7B-Q4_K_M.gguf");
        assertEquals(List.of("Qwen2.5-Aloe-Beta-7B", "Qwen2.5-Aloe-Beta-7B + Medprompt"),
                q7.stream().map(PublishedFigures.Row::model).toList());
        assertEquals(65.36, q7.getFirst().value(Benchmark.MEDQA), 0.0);
        var l70 = PublishedFigures.rowsFor(Benchmark.CAREQA, "llama3.1-aloe-beta-70b");
        assertEquals(83.19, l70.getFirst().value(Benchmark.CAREQA), 0.0);
        assertEquals(86.67, l70.get(1).value(Benchmark.CAREQA), 0.0);
        assertEquals(8, PublishedFigures.rowsFor(Benchmark.MMLU_MEDICAL, "scripted").size(), "unknown: all Aloe rows");
        assertEquals(List.of(), PublishedFigures.rowsFor(Benchmark.PUBMEDQA, "Qwen2.5-Aloe-Beta-7B"));
    }

    @Test
    void chartIsAReadablePngWithBarsOfBothColours() throws IOException {
        Path png = tmp.resolve("accuracy.png");
        var rows = PublishedFigures.rowsFor(Benchmark.MEDQA, "Qwen2.5-Aloe-Beta-7B");
        AccuracyChart.write(png, "MedQA", "Qwen2.5-Aloe-Beta-7B (cot)", 62.5, rows, r -> r.value(Benchmark.MEDQA));
        assertTrue(Files.size(png) > 0);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(AccuracyChart.WIDTH, img.getWidth());
        assertEquals(AccuracyChart.HEIGHT, img.getHeight());
        int run = 0;
        int pub = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y) & 0xffffff;
                if (rgb == (AccuracyChart.RUN_COLOUR.getRGB() & 0xffffff)) {
                    run++;
                } else if (rgb == (AccuracyChart.PUBLISHED_COLOUR.getRGB() & 0xffffff)) {
                    pub++;
                }
            }
        }
        assertTrue(run > 2000, "run bar pixels: " + run);
        assertTrue(pub > 2 * 2000, "published bar pixels: " + pub);
    }
}
