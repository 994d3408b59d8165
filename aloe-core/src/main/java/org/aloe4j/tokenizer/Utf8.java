package org.aloe4j.tokenizer;

import java.io.ByteArrayOutputStream;

/** UTF-8 helpers shared by the encoders and decoders. */
final class Utf8 {
    private Utf8() {}

    /**
     * UTF-8 bytes of a Java string. A lone surrogate (which no valid text contains, and which Rust strings cannot
     * hold) becomes U+FFFD, not {@code '?'} as {@link String#getBytes} would give.
     */
    static byte[] encode(CharSequence s) {
        int n = s.length();
        boolean ascii = true;
        for (int i = 0; i < n && ascii; i++) {
            ascii = s.charAt(i) < 0x80;
        }
        if (ascii) {
            byte[] out = new byte[n];
            for (int i = 0; i < n; i++) {
                out[i] = (byte) s.charAt(i);
            }
            return out;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(n * 3);
        for (int i = 0; i < n; ) {
            int cp = Character.codePointAt(s, i);
            i += Character.charCount(cp);
            if (Character.isSurrogate((char) cp) && cp <= 0xFFFF) {
                cp = 0xFFFD;
            }
            appendCodePoint(out, cp);
        }
        return out.toByteArray();
    }

    static void appendCodePoint(ByteArrayOutputStream out, int cp) {
        if (cp < 0x80) {
            out.write(cp);
        } else if (cp < 0x800) {
            out.write(0xC0 | (cp >> 6));
            out.write(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out.write(0xE0 | (cp >> 12));
            out.write(0x80 | ((cp >> 6) & 0x3F));
            out.write(0x80 | (cp & 0x3F));
        } else {
            out.write(0xF0 | (cp >> 18));
            out.write(0x80 | ((cp >> 12) & 0x3F));
            out.write(0x80 | ((cp >> 6) & 0x3F));
            out.write(0x80 | (cp & 0x3F));
        }
    }

    /**
     * Incremental, lossy UTF-8 decoding: complete characters are appended as soon as their last byte arrives, the
     * bytes of an unfinished character are held back. An ill-formed sequence becomes one U+FFFD per maximal subpart
     * (Unicode's recommended practice, chapter 3, "U+FFFD Substitution of Maximal Subparts"), which is what Rust's
     * {@code String::from_utf8_lossy} (Hugging Face's decoders) does, so whole-sequence and streamed decoding agree.
     * (Java's own UTF-8 decoder differs after ED: it replaces an encoded surrogate such as ED A0 80 with one
     * U+FFFD where Rust and Python give three.)
     */
    static final class LossyDecoder {
        private int codePoint;
        private int remaining;      // continuation bytes still expected
        private int lower = 0x80;   // allowed range of the next continuation byte
        private int upper = 0xBF;

        /** Feeds bytes, appending every character they complete to {@code out}. */
        void feed(byte[] bytes, StringBuilder out) {
            for (byte value : bytes) {
                feed(value & 0xFF, out);
            }
        }

        private void feed(int b, StringBuilder out) {
            if (remaining > 0) {
                if (b >= lower && b <= upper) {
                    codePoint = (codePoint << 6) | (b & 0x3F);
                    lower = 0x80;
                    upper = 0xBF;
                    if (--remaining == 0) {
                        out.appendCodePoint(codePoint);
                    }
                    return;
                }
                // The held bytes are a maximal subpart that cannot be completed: one replacement, then b afresh.
                out.append('\uFFFD');
                remaining = 0;
                lower = 0x80;
                upper = 0xBF;
            }
            if (b < 0x80) {
                out.append((char) b);
            } else if (b >= 0xC2 && b <= 0xDF) {
                start(b & 0x1F, 1, 0x80, 0xBF);
            } else if (b >= 0xE0 && b <= 0xEF) {
                start(b & 0x0F, 2, b == 0xE0 ? 0xA0 : 0x80, b == 0xED ? 0x9F : 0xBF);
            } else if (b >= 0xF0 && b <= 0xF4) {
                start(b & 0x07, 3, b == 0xF0 ? 0x90 : 0x80, b == 0xF4 ? 0x8F : 0xBF);
            } else {
                out.append('\uFFFD'); // a stray continuation byte, C0, C1 or F5..FF
            }
        }

        private void start(int bits, int continuationBytes, int lo, int hi) {
            codePoint = bits;
            remaining = continuationBytes;
            lower = lo;
            upper = hi;
        }

        boolean hasPendingBytes() {
            return remaining > 0;
        }

        /** Ends the input: an unfinished character becomes U+FFFD. */
        void finish(StringBuilder out) {
            if (remaining > 0) {
                out.append('\uFFFD');
                remaining = 0;
                lower = 0x80;
                upper = 0xBF;
            }
        }
    }
}
