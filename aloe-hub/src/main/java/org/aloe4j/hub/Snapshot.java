package org.aloe4j.hub;

import java.nio.file.Path;
import java.util.List;

/**
 * A repository's files at one commit, available under {@code dir} (the cache's {@code snapshots/<commit>} folder).
 *
 * @param repoId {@code ORG/NAME}
 * @param commit the commit sha
 * @param dir the snapshot folder
 * @param paths the repository paths that were asked for and are present
 */
public record Snapshot(String repoId, String commit, Path dir, List<String> paths) {

    public Snapshot {
        paths = List.copyOf(paths);
    }

    /** The local path of one file of the snapshot. */
    public Path file(String path) {
        return dir.resolve(path);
    }
}
