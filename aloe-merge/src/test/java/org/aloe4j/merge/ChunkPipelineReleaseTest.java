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
 * The pipeline releases each input tensor as a whole once all of its chunks are computed (and never before): that
 * is what keeps the mapped inputs' resident pages from piling up over a merge of a large model.
 */
class ChunkPipelineReleaseTest {

    /** An input that records, in one shared log, its reads and releases. */
    static final class RecordingSource implements FloatSource {
        final String name;
        final float[] values;
        final List<String> log;
        final AtomicInteger releaseAlls = new AtomicInteger();

        RecordingSource(String name, int size, List<String> log) {
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
            log.add("read " + name);
            System.arraycopy(values, (int) start, dst, off, count);
        }

        @Override
        public void releaseAll() {
            releaseAlls.incrementAndGet();
            log.add("releaseAll " + name);
        }
    }

    @Test
    void everyInputIsReleasedOnceAfterItsTensorsLastChunk() throws IOException {
        List<String> log = Collections.synchronizedList(new ArrayList<>());
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
                // at this point tensor t is written: its inputs are released, and no later read of them may follow
                assertEquals(1, sources.get(2 * t).releaseAlls.get(), "base of tensor " + t);
                assertEquals(1, sources.get(2 * t + 1).releaseAlls.get(), "tuned of tensor " + t);
            }
        }
        for (RecordingSource s : sources) {
            assertEquals(1, s.releaseAlls.get(), s.name);
            int released = log.indexOf("releaseAll " + s.name);
            int lastRead = log.lastIndexOf("read " + s.name);
            assertTrue(lastRead >= 0 && lastRead < released, s.name + ": read at " + lastRead + ", released at " + released);
        }
    }
}
