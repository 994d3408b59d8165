package org.aloe4j.eval.run;

import java.io.PrintStream;
import java.time.Duration;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** Progress of a run: a console bar with ETA on stderr, or nothing (tests). */
interface Progress extends AutoCloseable {

    void step(long correct, long done);

    @Override
    void close();

    static Progress none() {
        return new Progress() {
            @Override
            public void step(long correct, long done) {}

            @Override
            public void close() {}
        };
    }

    static Progress bar(String task, long total, long alreadyDone, PrintStream err) {
        ProgressBar bar = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total)
                .startsFrom(alreadyDone, Duration.ZERO)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(500)
                .showSpeed()
                .setConsumer(new ConsoleProgressBarConsumer(err))
                .build();
        return new Progress() {
            @Override
            public void step(long correct, long done) {
                bar.step();
                bar.setExtraMessage(String.format(java.util.Locale.ROOT, " acc %.1f%%",
                        done == 0 ? 0.0 : 100.0 * correct / done));
            }

            @Override
            public void close() {
                bar.close();
            }
        };
    }
}
