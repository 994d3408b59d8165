package org.aloe4j.formats;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/**
 * Supplies the bytes of one tensor to a streaming writer ({@code GGUFWriter}, {@code SafeTensorsWriter}) at the
 * moment the writer reaches that tensor, so that no writer ever holds tensor data in memory. It must write exactly
 * the tensor's byte size: the writer checks the count and fails the write otherwise. The channel is the writer's
 * buffered file output; closing it is ignored.
 */
@FunctionalInterface
public interface TensorSource {

    void writeTo(WritableByteChannel out) throws IOException;

    /** Writes a segment (e.g. a zero-copy slice of a memory-mapped file), of any size including past 2 GiB. */
    static TensorSource of(MemorySegment data) {
        return out -> {
            // ByteBuffer views are limited to 2 GiB: hand the segment over in 1 GiB pieces.
            final long chunk = 1L << 30;
            for (long pos = 0; pos < data.byteSize(); pos += chunk) {
                ByteBuffer piece = data.asSlice(pos, Math.min(chunk, data.byteSize() - pos)).asByteBuffer();
                while (piece.hasRemaining()) {
                    out.write(piece);
                }
            }
        };
    }

    /** Writes a copy-free view of {@code data}. */
    static TensorSource of(byte[] data) {
        return of(MemorySegment.ofArray(data));
    }

    /** Adapts code that writes to an {@link OutputStream}; the stream must not be closed by the writer code. */
    static TensorSource ofStream(StreamWriter writer) {
        return out -> {
            OutputStream stream = new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    ByteBuffer buf = ByteBuffer.wrap(b, off, len);
                    while (buf.hasRemaining()) {
                        out.write(buf);
                    }
                }
            };
            writer.writeTo(stream);
        };
    }

    /** Code that writes a tensor's bytes to a stream (see {@link #ofStream}). */
    @FunctionalInterface
    interface StreamWriter {
        void writeTo(OutputStream out) throws IOException;
    }
}
