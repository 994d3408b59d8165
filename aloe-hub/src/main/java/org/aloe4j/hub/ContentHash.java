package org.aloe4j.hub;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The check a blob must pass, derived from its ETag the way the hub defines ETags: a 64-hex ETag is the sha256 of an
 * LFS file's content, a 40-hex ETag is the git blob sha1 of a file stored in git ({@code sha1("blob <size>\0" +
 * content)}). Other ETags give no hash to check; then only the size is checked.
 */
final class ContentHash {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern SHA1 = Pattern.compile("[0-9a-f]{40}");

    private ContentHash() {
    }

    /** A digest primed for this etag and size, or {@code null} when the etag is not a known hash. */
    static MessageDigest newDigest(String etag, long size) {
        try {
            if (SHA256.matcher(etag).matches()) {
                return MessageDigest.getInstance("SHA-256");
            }
            if (SHA1.matcher(etag).matches()) {
                MessageDigest md = MessageDigest.getInstance("SHA-1");
                md.update(("blob " + size + "\0").getBytes(StandardCharsets.US_ASCII));
                return md;
            }
            return null;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks " + e.getMessage(), e);
        }
    }

    static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Feeds the first {@code length} bytes of a file into the digest. */
    static void update(MessageDigest digest, Path file, long length) throws IOException {
        byte[] buf = new byte[1 << 20];
        long left = length;
        try (InputStream in = Files.newInputStream(file)) {
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    throw new IOException(file + " is shorter than " + length + " bytes");
                }
                digest.update(buf, 0, n);
                left -= n;
            }
        }
    }

    /**
     * Why a complete file does not match the etag and expected size, or {@code null} when it does.
     *
     * @param fullHash whether to hash the content (else only the size is compared)
     */
    static String mismatch(Path file, String etag, long expectedSize, boolean fullHash) throws IOException {
        long actual = Files.size(file);
        if (actual != expectedSize) {
            return "size " + actual + " instead of " + expectedSize;
        }
        if (!fullHash) {
            return null;
        }
        MessageDigest digest = newDigest(etag, expectedSize);
        if (digest == null) {
            return null;
        }
        update(digest, file, expectedSize);
        String got = hex(digest);
        return got.equals(etag) ? null : (etag.length() == 64 ? "sha256 " : "git sha1 ") + got + " instead of " + etag;
    }
}
