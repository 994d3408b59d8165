package org.aloe4j.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.aloe4j.formats.safetensors.SafeTensorsDType;
import org.junit.jupiter.api.Test;

/**
 * The writer tells the inputs which ranges are finished, in order, and at the end of each tensor the whole of it: that
 * is what keeps the mapped inputs' resident pages from piling up over a merge of a large model. A range is never
 * declared finished while a chunk in it may still be read.
 */
class ChunkPipelineReleaseTest {

    /** One read or release of a source. */
    record Event(String source, boolean read, long from, long to) {}

    /** An input that records, in one shared log, its reads and releases. */
    static final class RecordingSource implements FloatSource {
        final String name;
        final float[] values;
        final List<Event> log;
        final AtomicInteger wholeReleases = new AtomicInteger();

        RecordingSource(String name, int size, List<Event> log) {
            this.name = name;
            this.values = new float[size];
            for (int i = 0; i < size; i++) {
                values[i] = i * 0.25f;
            }
            this.log = log;
        }

        @Override
        public long size() {
            return values.length;
        }

        @Override
        public void read(long start, float[] dst, int off, int count) {
            log.add(new Event(name, true, start, start + count));
            System.arraycopy(values, (int) start, dst, off, count);
        }

        @Override
        public void releaseFinished(long from, long to) {
            log.add(new Event(name, false, from, to));
            if (from == 0 && to == values.length) {
                wholeReleases.incrementAndGet();
            }
        }
    }

    @Test
    void finishedRangesAreReleasedInOrderAndEachTensorWholeAtItsEnd() throws IOException {
        List<Event> log = Collections.synchronizedList(new ArrayList<>());
        List<MergePlan.PlannedTensor> plan = new ArrayList<>();
        List<RecordingSource> sources = new ArrayList<>();
        int[] sizes = {10_000, 3, 25_000, 1};
        for (int t = 0; t < sizes.length; t++) {
            RecordingSource base = new RecordingSource("base" + t, sizes[t], log);
            RecordingSource tuned = new RecordingSource("tuned" + t, sizes[t], log);
            sources.add(base);
            sources.add(tuned);
            TensorMergeTask task = new TensorMergeTask("t" + t, MergeMethod.DARE_TIES, base,
                    List.of(new TensorMergeTask.Input(tuned, 1.0, 0.5, 1)), true, true, 1.0, 7, 1000);
            plan.add(new MergePlan.PlannedTensor("t" + t, SafeTensorsDType.F32, new long[] {sizes[t]}, task));
        }
        WritableByteChannel sink = new WritableByteChannel() {
            @Override
            public int write(ByteBuffer src) {
                int n = src.remaining();
                src.position(src.limit());
                return n;
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {}
        };
        try (ChunkPipeline pipeline = new ChunkPipeline(plan, 3, bytes -> {})) {
            for (int t = 0; t < plan.size(); t++) {
                pipeline.writeTensor(t, sink);
                // tensor t is written: its inputs are released as a whole
                assertEquals(1, sources.get(2 * t).wholeReleases.get(), "base of tensor " + t);
                assertEquals(1, sources.get(2 * t + 1).wholeReleases.get(), "tuned of tensor " + t);
            }
        }
        List<Event> events = List.copyOf(log);
        for (RecordingSource s : sources) {
            assertEquals(1, s.wholeReleases.get(), s.name);
            long released = 0; // everything before this was declared finished
            long previousTo = 0;
            int releases = 0;
            for (Event e : events) {
                if (!e.source().equals(s.name)) {
                    continue;
                }
                if (e.read()) {
                    assertTrue(e.from() >= released, s.name + ": read of " + e + " after [0, " + released + ") was released");
                } else {
                    releases++;
                    if (e.to() < s.values.length) {
                        assertEquals(previousTo, e.from(), s.name + ": ranges follow each other: " + e);
                    }
                    assertTrue(e.to() > previousTo || e.to() == s.values.length, e.toString());
                    previousTo = e.to();
                    released = Math.max(released, e.to());
                }
            }
            assertEquals(s.values.length, released, s.name);
            assertEquals((s.values.length + 999) / 1000, releases, s.name + ": one release per chunk");
        }
    }
}
