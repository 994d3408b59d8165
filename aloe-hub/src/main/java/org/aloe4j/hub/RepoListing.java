package org.aloe4j.hub;

import java.util.List;
import java.util.Optional;

/**
 * The files of a repository at one commit.
 *
 * @param repoId {@code ORG/NAME}
 * @param revision what was asked for (branch, tag or commit)
 * @param commit the 40-hex commit the revision pointed at
 * @param files every file of the repository at that commit
 */
public record RepoListing(String repoId, String revision, String commit, List<RepoFile> files) {

    public RepoListing {
        files = List.copyOf(files);
    }

    public Optional<RepoFile> file(String path) {
        return files.stream().filter(f -> f.path().equals(path)).findFirst();
    }

    public List<RepoFile> select(FileSelection selection) {
        return files.stream().filter(f -> selection.test(f.path())).toList();
    }
}
