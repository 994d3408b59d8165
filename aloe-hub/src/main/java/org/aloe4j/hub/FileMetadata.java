package org.aloe4j.hub;

import java.net.URI;

/**
 * What a {@code HEAD /{repo}/resolve/{revision}/{path}} tells about a file, read the way {@code huggingface_hub}
 * reads it: the commit from {@code X-Repo-Commit}; the ETag from {@code X-Linked-Etag} (LFS files, whose resolve
 * answer is a redirect to a blob store) or else {@code ETag}, without quotes or {@code W/}; the size from
 * {@code X-Linked-Size} or else {@code Content-Length}; the location to GET from the redirect's {@code Location}.
 *
 * @param commit the commit sha the revision resolved to
 * @param etag the blob name: sha256 for LFS files, git sha1 otherwise
 * @param size the content size in bytes
 * @param location where to download the content (a blob store URL for LFS files)
 */
public record FileMetadata(String commit, String etag, long size, URI location) {

    /** Python's {@code _normalize_etag}: drops a leading {@code W/} and the quotes. */
    static String normalizeEtag(String etag) {
        if (etag == null) {
            return null;
        }
        String e = etag.strip();
        if (e.startsWith("W/")) {
            e = e.substring(2);
        }
        if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) {
            e = e.substring(1, e.length() - 1);
        }
        return e;
    }
}
