package org.aloe4j.rag.store;

import java.nio.file.Path;
import java.util.List;

/**
 * Run by {@link LuceneCrashTest} in its own JVM: adds documents to a {@link LuceneStore} forever, one at a time, the
 * store committing every N of them, and prints {@code committed <count>} after each commit has returned. The test
 * kills it with SIGKILL.
 */
public final class LuceneCrashChild {

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        int commitEvery = Integer.parseInt(args[1]);
        int dimension = Integer.parseInt(args[2]);
        LuceneStore.Options options = LuceneStore.Options.DEFAULT.withCommitEvery(commitEvery)
                .withOnCommit(count -> {
                    System.out.println("committed " + count);
                    System.out.flush();
                });
        LuceneStore store = LuceneStore.open(dir, dimension, options);
        System.out.println("ready");
        System.out.flush();
        for (int i = 0; ; i++) {
            store.add(List.of(TestVectors.document(CrashSeed.SEED, i, dimension)));
        }
    }

    /** The collection's seed, shared with the test that checks what survived. */
    static final class CrashSeed {
        static final long SEED = 20_260_817L;
    }
}
