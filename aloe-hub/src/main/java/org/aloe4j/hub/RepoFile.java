package org.aloe4j.hub;

import java.util.Objects;

/**
 * One file of a hub repository at a commit, as listed by {@code /api/models/{repo}/revision/{rev}?blobs=true}.
 *
 * @param path the path inside the repository, with {@code /} separators
 * @param size the file's size in bytes (for LFS files, the real content, not the pointer)
 * @param blobId the git object id (sha1) of the file as stored in git; for LFS files that of the pointer
 * @param lfsSha256 the sha256 of the content for LFS files, {@code null} for files stored in git
 */
public record RepoFile(String path, long size, String blobId, String lfsSha256) {

    public RepoFile {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(blobId, "blobId");
        if (size < 0) {
            throw new IllegalArgumentException("negative size for " + path);
        }
    }

    public boolean isLfs() {
        return lfsSha256 != null;
    }

    /**
     * The name of this file's blob in the cache, as {@code huggingface_hub} names it: the hub's ETag, which is the
     * sha256 for LFS files and the git sha1 for the others.
     */
    public String etag() {
        return lfsSha256 != null ? lfsSha256 : blobId;
    }
}
