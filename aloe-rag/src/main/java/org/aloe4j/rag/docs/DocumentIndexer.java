package org.aloe4j.rag.docs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.aloe4j.rag.RagException;
import org.aloe4j.rag.embed.Embedder;
import org.aloe4j.rag.embed.Embedders;
import org.aloe4j.rag.store.StoredDocument;
import org.aloe4j.rag.store.VectorStore;

/**
 * Builds a document index: loads files (directories are walked for supported extensions), chunks them, embeds the
 * chunks (as passages: no query instruction) and stores them with their source file and position. A file indexed
 * again replaces its earlier chunks. Chunk ids are {@code source#position}.
 */
public final class DocumentIndexer {

    /** Metadata kind of a document index. */
    public static final String KIND = "document-index";
    public static final String KIND_KEY = "kind";

    static final String SOURCE = "source";
    static final String LOCATION = "location";
    static final String POSITION = "position";
    private static final int STORE_SLICE = 1024;

    /** What the indexer tells while it works. */
    public interface Listener {
        void skipped(String where, String problem);

        /** After each embedded batch of a file's chunks. */
        void embedded(Path file, int done, int total);

        void fileDone(Path file, int chunks);
    }

    public record Report(int files, int chunks, int skipped) {}

    private final VectorStore store;
    private final Embedder embedder;
    private final Chunker chunker;

    public DocumentIndexer(VectorStore store, Embedder embedder, Chunker chunker) {
        if (store.dimension() != embedder.dimension()) {
            throw new RagException("index holds vectors of dimension " + store.dimension() + " but embedder "
                    + embedder.name() + " makes " + embedder.dimension());
        }
        Retriever.checkIndex(store.metadata(), embedder);
        this.store = store;
        this.embedder = embedder;
        this.chunker = chunker;
    }

    /** The supported files named by {@code inputs}, directories walked in name order; others are reported. */
    public static List<Path> expand(List<Path> inputs, Listener listener) {
        List<Path> files = new ArrayList<>();
        for (Path input : inputs) {
            if (Files.isDirectory(input)) {
                try (Stream<Path> walk = Files.walk(input)) {
                    walk.filter(Files::isRegularFile).filter(DocumentLoader::isSupported).sorted().forEach(files::add);
                } catch (IOException e) {
                    throw new RagException(input + ": cannot list directory: " + e.getMessage(), e);
                }
            } else if (!Files.exists(input)) {
                listener.skipped(input.toString(), "no such file");
            } else if (!DocumentLoader.isSupported(input)) {
                listener.skipped(input.toString(), "unsupported type (supported: "
                        + String.join(", ", DocumentLoader.EXTENSIONS.stream().sorted().toList()) + ")");
            } else {
                files.add(input);
            }
        }
        return files;
    }

    public Report index(List<Path> inputs, Listener listener) {
        int[] skipped = {0};
        Listener counting = new Listener() {
            @Override
            public void skipped(String where, String problem) {
                skipped[0]++;
                listener.skipped(where, problem);
            }

            @Override
            public void embedded(Path file, int done, int total) {
                listener.embedded(file, done, total);
            }

            @Override
            public void fileDone(Path file, int chunks) {
                listener.fileDone(file, chunks);
            }
        };
        if (!store.metadata().containsKey(KIND_KEY)) {
            store.putMetadata(KIND_KEY, KIND);
            Embedders.describe(embedder).forEach(store::putMetadata);
            store.putMetadata("chunk.max-words", Integer.toString(chunker.maxWords()));
            store.putMetadata("chunk.overlap-words", Integer.toString(chunker.overlapWords()));
        }
        int files = 0;
        int chunks = 0;
        for (Path file : expand(inputs, counting)) {
            List<Section> sections;
            try {
                sections = DocumentLoader.load(file, counting::skipped);
            } catch (RagException e) {
                counting.skipped(file.toString(), e.getMessage());
                continue;
            }
            chunks += indexFile(file, sections, counting);
            files++;
        }
        store.commit();
        return new Report(files, chunks, skipped[0]);
    }

    private int indexFile(Path file, List<Section> sections, Listener listener) {
        String source = file.toAbsolutePath().normalize().toString();
        List<Chunk> chunks = new ArrayList<>();
        for (Section section : sections) {
            for (String text : chunker.chunk(section.text())) {
                chunks.add(new Chunk(source, section.location(), chunks.size(), text));
            }
        }
        store.deleteWhere(SOURCE, source);
        // embedded and stored a slice at a time, so that a large JSON-lines file does not sit in memory as vectors
        for (int from = 0; from < chunks.size(); from += STORE_SLICE) {
            List<Chunk> slice = chunks.subList(from, Math.min(chunks.size(), from + STORE_SLICE));
            int offset = from;
            float[][] vectors = embedder.embed(slice.stream().map(Chunk::text).toList(),
                    (done, total) -> listener.embedded(file, offset + done, chunks.size()));
            List<StoredDocument> docs = new ArrayList<>(slice.size());
            for (int i = 0; i < vectors.length; i++) {
                Chunk c = slice.get(i);
                docs.add(new StoredDocument(source + "#" + c.position(), c.text(), vectors[i], Map.of(SOURCE, source,
                        LOCATION, c.location(), POSITION, Integer.toString(c.position()))));
            }
            store.add(docs);
        }
        listener.fileDone(file, chunks.size());
        return chunks.size();
    }
}
