package org.aloe4j.formats;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Little-endian, buffered, sequential file output shared by the model-file writers. Small values go through one
 * large off-heap buffer; large writes (tensor data) bypass it and go straight to the file channel, so that a
 * multi-gigabyte file is written at disk speed with few system calls. Not thread-safe.
 */
public final class BufferedFileOutput implements AutoCloseable {
    private static final int BUFFER_BYTES = 8 << 20;

    private final FileChannel channel;
    private final Arena arena = Arena.ofConfined();
    private final ByteBuffer buffer;
    private long flushed;

    private BufferedFileOutput(FileChannel channel) {
        this.channel = channel;
        this.buffer = arena.allocate(BUFFER_BYTES, 4096).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Creates (or truncates) {@code file} for writing. */
    public static BufferedFileOutput create(Path file) throws IOException {
        return new BufferedFileOutput(FileChannel.open(file, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE));
    }

    /** Bytes written so far (buffered or not): the file offset of the next byte. */
    public long position() {
        return flushed + buffer.position();
    }

    public void writeByte(int v) throws IOException {
        ensure(1);
        buffer.put((byte) v);
    }

    public void writeShort(int v) throws IOException {
        ensure(2);
        buffer.putShort((short) v);
    }

    public void writeInt(int v) throws IOException {
        ensure(4);
        buffer.putInt(v);
    }

    public void writeLong(long v) throws IOException {
        ensure(8);
        buffer.putLong(v);
    }

    public void writeFloat(float v) throws IOException {
        ensure(4);
        buffer.putFloat(v);
    }

    public void writeDouble(double v) throws IOException {
        ensure(8);
        buffer.putDouble(v);
    }

    public void writeBytes(byte[] bytes) throws IOException {
        write(ByteBuffer.wrap(bytes));
    }

    public void writeZeros(long count) throws IOException {
        while (count > 0) {
            if (!buffer.hasRemaining()) {
                flush();
            }
            int n = (int) Math.min(count, buffer.remaining());
            for (int i = 0; i < n; i++) {
                buffer.put((byte) 0);
            }
            count -= n;
        }
    }

    /** Pads with zero bytes up to the next multiple of {@code alignment} (a power of two). */
    public void alignTo(long alignment) throws IOException {
        long pad = Math.floorMod(-position(), alignment);
        writeZeros(pad);
    }

    /** Writes all of {@code src}; large buffers go to the file directly. */
    public void write(ByteBuffer src) throws IOException {
        if (src.remaining() <= buffer.remaining()) {
            buffer.put(src);
            return;
        }
        flush();
        if (src.remaining() < buffer.capacity() / 2) {
            buffer.put(src);
            return;
        }
        while (src.hasRemaining()) {
            flushed += channel.write(src);
        }
    }

    /**
     * A channel that accepts exactly {@code expectedBytes} for the item {@code what} (named in errors); after the
     * source is done, call {@link CountingChannel#finish()} to check that nothing is missing.
     */
    public CountingChannel itemChannel(String what, long expectedBytes) {
        return new CountingChannel(what, expectedBytes);
    }

    public void flush() throws IOException {
        buffer.flip();
        while (buffer.hasRemaining()) {
            flushed += channel.write(buffer);
        }
        buffer.clear();
    }

    private void ensure(int bytes) throws IOException {
        if (buffer.remaining() < bytes) {
            flush();
        }
    }

    /** Flushes, closes the file and frees the buffer. */
    @Override
    public void close() throws IOException {
        if (!arena.scope().isAlive()) {
            return;
        }
        try (channel; arena) {
            if (channel.isOpen()) {
                flush();
            }
        }
    }

    /** A byte-counting view of this output for one item's data (see {@link #itemChannel}). */
    public final class CountingChannel implements WritableByteChannel {
        private final String what;
        private final long expected;
        private long written;
        private boolean finished;

        private CountingChannel(String what, long expected) {
            this.what = what;
            this.expected = expected;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            if (finished) {
                throw new ClosedChannelException();
            }
            int n = src.remaining();
            if (n > expected - written) {
                throw new IOException(what + ": the source wrote more than the " + expected + " bytes it declared");
            }
            BufferedFileOutput.this.write(src);
            written += n;
            return n;
        }

        /** Checks that exactly the declared byte count was written. */
        public void finish() throws IOException {
            finished = true;
            if (written != expected) {
                throw new IOException(what + ": the source wrote " + written + " of the " + expected
                        + " bytes it declared");
            }
        }

        @Override
        public boolean isOpen() {
            return !finished;
        }

        /** Ignored: the file belongs to the writer, not to the source. */
        @Override
        public void close() {}
    }
}
