package org.aloe4j.eval.report;

import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * A bar chart (PNG, rendered headless with XChart) of a run's accuracy beside the paper's published figures for the
 * same benchmark: the run in one colour, the published rows in another.
 */
public final class AccuracyChart {
    private AccuracyChart() {}

    public static final int WIDTH = 900;
    public static final int HEIGHT = 720;
    /** The run's bar colour (the published rows are grey). */
    public static final Color RUN_COLOUR = new Color(0x2E, 0x7D, 0x32);
    public static final Color PUBLISHED_COLOUR = new Color(0x90, 0x90, 0x90);

    public static void write(Path png, String title, String runLabel, double runAccuracyPercent,
                             List<PublishedFigures.Row> rows, java.util.function.ToDoubleFunction<PublishedFigures.Row>
                                     value) throws IOException {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        List<String> labels = new ArrayList<>();
        List<Double> run = new ArrayList<>();
        List<Double> published = new ArrayList<>();
        labels.add(runLabel);
        run.add(round(runAccuracyPercent));
        published.add(null);
        for (PublishedFigures.Row r : rows) {
            labels.add(r.model()); // grey = the paper, as the legend says
            run.add(null);
            published.add(round(value.applyAsDouble(r)));
        }
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle("").yAxisTitle("accuracy (%)").build();
        var st = chart.getStyler();
        st.setOverlapped(true);
        st.setLabelsVisible(true);
        st.setYAxisMin(0.0);
        st.setYAxisMax(100.0);
        // Below the plot: inside it, the legend covered the tops of the tallest (70B/72B + Medprompt) bars.
        st.setLegendPosition(Styler.LegendPosition.OutsideS);
        st.setLegendLayout(Styler.LegendLayout.Horizontal);
        // Vertical: at smaller angles XChart drops the last of the long model names and shifts the others off their bars.
        st.setXAxisLabelRotation(rows.size() >= 2 ? 90 : 0);
        st.setChartBackgroundColor(Color.WHITE);
        st.setSeriesColors(new Color[] {RUN_COLOUR, PUBLISHED_COLOUR});
        chart.addSeries("this run", labels, run);
        chart.addSeries(PublishedFigures.SOURCE, labels, published);
        Files.createDirectories(png.toAbsolutePath().getParent());
        try (OutputStream out = Files.newOutputStream(png)) {
            BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
        }
    }

    private static Double round(double v) {
        return Double.parseDouble(String.format(Locale.ROOT, "%.2f", v));
    }
}
