package org.aloe4j.cli;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.aloe4j.hub.DownloadListener;
import org.aloe4j.hub.DownloadPlan;
import org.aloe4j.hub.RepoFile;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.text.DecimalFormat;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Download progress on stderr: one progress bar (bytes, rate, ETA) on a terminal, plain lines otherwise (logs, CI),
 * where a redrawn bar would be noise.
 */
abstract sealed class PullProgress implements DownloadListener, AutoCloseable {

    /** The display that fits stderr: a bar when it is a terminal. */
    static PullProgress forStderr(PrintWriter lines) {
        var console = System.console();
        return console != null && console.isTerminal() ? new Bar(System.err) : new Lines(lines, Duration.ofSeconds(10));
    }

    @Override
    public abstract void close();

    /** A progress bar redrawn in place. */
    static final class Bar extends PullProgress {
        private final PrintStream out;
        private volatile ProgressBar bar;

        Bar(PrintStream out) {
            this.out = out;
        }

        @Override
        public void planned(DownloadPlan plan) {
            out.println("pull " + plan.repoId() + "@" + plan.commit().substring(0, 10) + ": " + plan.summary());
            if (plan.isCached()) {
                return;
            }
            bar = new ProgressBarBuilder()
                    .setTaskName("download")
                    .setInitialMax(plan.bytesToDownload())
                    .setStyle(ProgressBarStyle.UNICODE_BLOCK)
                    .setUnit(" MB", 1_000_000)
                    .showSpeed(new DecimalFormat("#.0"))
                    .setUpdateIntervalMillis(250)
                    .setConsumer(new ConsoleProgressBarConsumer(out))
                    .build();
        }

        @Override
        public void transferred(RepoFile file, long bytes) {
            ProgressBar b = bar;
            if (b != null) {
                b.stepBy(bytes);
                if (b.getCurrent() > b.getMax()) {
                    b.maxHint(b.getCurrent());   // a corrupt blob fetched again: more than planned
                }
            }
        }

        @Override
        public void notice(String message) {
            synchronized (out) {
                out.print("\r");
                out.println(message);
            }
        }

        @Override
        public void close() {
            ProgressBar b = bar;
            if (b != null) {
                b.close();
            }
        }
    }

    /** A line now and then: transferred, total, percentage, rate, ETA. */
    static final class Lines extends PullProgress {
        private final PrintWriter out;
        private final long everyNanos;
        private final AtomicLong done = new AtomicLong();
        private volatile long total;
        private volatile long start;
        private volatile long lastLine;

        Lines(PrintWriter out, Duration every) {
            this.out = out;
            this.everyNanos = every.toNanos();
        }

        @Override
        public void planned(DownloadPlan plan) {
            total = plan.bytesToDownload();
            start = System.nanoTime();
            lastLine = start;
            line("pull " + plan.repoId() + "@" + plan.commit().substring(0, 10) + ": " + plan.summary());
        }

        @Override
        public void transferred(RepoFile file, long bytes) {
            long now = System.nanoTime();
            done.addAndGet(bytes);
            if (now - lastLine >= everyNanos) {
                synchronized (this) {
                    if (now - lastLine >= everyNanos) {
                        lastLine = now;
                        line(status(now));
                    }
                }
            }
        }

        @Override
        public void notice(String message) {
            line(message);
        }

        @Override
        public void close() {
            if (start != 0 && total > 0 && done.get() >= total) {
                long now = System.nanoTime();
                line("downloaded " + DownloadPlan.formatBytes(done.get()) + " in " + duration(now - start) + " ("
                        + rate(done.get(), now - start) + ")");
            }
        }

        private String status(long now) {
            long d = done.get();
            long elapsed = now - start;
            String pct = total > 0 ? " (" + Math.min(100, d * 100 / total) + "%)" : "";
            double perNano = elapsed > 0 ? (double) d / elapsed : 0;
            String eta = perNano > 0 && total > d ? ", ETA " + duration((long) ((total - d) / perNano)) : "";
            return "downloaded " + DownloadPlan.formatBytes(d) + " of " + DownloadPlan.formatBytes(total) + pct + ", "
                    + rate(d, elapsed) + eta;
        }

        private synchronized void line(String text) {
            out.println(text);
            out.flush();
        }

        private static String rate(long bytes, long nanos) {
            return nanos <= 0 ? "-" : DownloadPlan.formatBytes((long) (bytes * 1e9 / nanos)) + "/s";
        }

        static String duration(long nanos) {
            long s = Math.max(0, nanos / 1_000_000_000L);
            if (s >= 3600) {
                return s / 3600 + "h " + (s % 3600) / 60 + "m";
            }
            if (s >= 60) {
                return s / 60 + "m " + s % 60 + "s";
            }
            return s + "s";
        }
    }
}
