package org.aloe4j.rag.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import org.aloe4j.rag.RagException;
import org.aloe4j.rag.embed.Vectors;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexFormatTooNewException;
import org.apache.lucene.index.IndexFormatTooOldException;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ReferenceManager;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherFactory;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.LockObtainFailedException;

/**
 * A {@link VectorStore} in a Lucene index directory: HNSW graph over the unit-length vectors
 * ({@link KnnFloatVectorField}, dot product = cosine), BM25 over the text (English analyzer: lower case, stop words,
 * Porter stemming), stored fields.
 *
 * <p>Durability: Lucene commits are atomic (a new segments file is written and synced last), so after a crash the
 * directory opens at the last completed commit with nothing corrupt. This store commits after every
 * {@link Options#commitEvery()} added documents, on {@link #commit()} and on {@link #close()}.
 *
 * <p>One process at a time may open a directory for writing (Lucene's write lock); {@link #openReadOnly} needs no
 * lock and sees the last commit.
 */
public final class LuceneStore implements VectorStore {

    /**
     * @param commitEvery commit after this many added documents (0: only on {@link #commit()} and close)
     * @param searchBreadth candidates the HNSW search collects per segment before the best k are kept (recall
     *     against speed); at least k is always used
     * @param onCommit told the number of documents in the index after each commit (may be null)
     */
    public record Options(int commitEvery, int searchBreadth, LongConsumer onCommit) {
        public static final Options DEFAULT = new Options(10_000, 64, null);

        public Options {
            if (commitEvery < 0 || searchBreadth < 1) {
                throw new IllegalArgumentException("commitEvery must be >= 0 and searchBreadth >= 1");
            }
        }

        public Options withCommitEvery(int n) {
            return new Options(n, searchBreadth, onCommit);
        }

        public Options withSearchBreadth(int n) {
            return new Options(commitEvery, n, onCommit);
        }

        public Options withOnCommit(LongConsumer listener) {
            return new Options(commitEvery, searchBreadth, listener);
        }
    }

    static final String ID = "id";
    static final String TEXT = "text";
    static final String VECTOR = "vector";
    static final String FIELD_PREFIX = "f.";
    static final String DIMENSION_KEY = "aloe.dimension";
    private static final String META_PREFIX = "meta.";

    private final Path path;
    private final Directory directory;
    private final Analyzer analyzer = new EnglishAnalyzer();
    private final int dimension;
    private final Options options;
    private final IndexWriter writer; // null when read-only
    private final ReferenceManager<IndexSearcher> searchers;
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private int addedSinceCommit;
    // changes made by this writer, and how many of them the searchers see: a reader refreshes (or waits for the
    // refresh in progress) until they match, so that no thread searches an older view than its own writes
    private final AtomicLong changes = new AtomicLong();
    private volatile long visibleChanges;
    private final Object refreshLock = new Object();

    private LuceneStore(Path path, Directory directory, int dimension, Options options, IndexWriter writer,
            ReferenceManager<IndexSearcher> searchers, Map<String, String> metadata) {
        this.path = path;
        this.directory = directory;
        this.dimension = dimension;
        this.options = options;
        this.writer = writer;
        this.searchers = searchers;
        this.metadata.putAll(metadata);
    }

    /** Opens (creating if needed) the index in {@code dir} for reading and writing, with default options. */
    public static LuceneStore open(Path dir, int dimension) {
        return open(dir, dimension, Options.DEFAULT);
    }

    /**
     * Opens (creating if needed) the index in {@code dir} for reading and writing.
     *
     * @throws RagException if the index holds vectors of another dimension, is corrupt, or is open for writing in
     *     another process
     */
    public static LuceneStore open(Path dir, int dimension, Options options) {
        if (dimension < 1) {
            throw new IllegalArgumentException("dimension must be >= 1");
        }
        Directory directory = null;
        IndexWriter writer = null;
        try {
            Files.createDirectories(dir);
            directory = FSDirectory.open(dir);
            Map<String, String> committed = DirectoryReader.indexExists(directory)
                    ? readCommitData(directory) : Map.of();
            checkDimension(dir, committed, dimension);
            IndexWriterConfig config = new IndexWriterConfig(new EnglishAnalyzer())
                    .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
                    .setRAMBufferSizeMB(128)
                    .setCommitOnClose(false);
            writer = new IndexWriter(directory, config);
            SearcherManager searchers = new SearcherManager(writer, new SearcherFactory());
            LuceneStore store = new LuceneStore(dir, directory, dimension, options, writer, searchers,
                    userMetadata(committed));
            if (committed.isEmpty()) {
                store.commit(); // an empty index with its dimension recorded: it opens read-only from now on
            }
            return store;
        } catch (LockObtainFailedException e) {
            closeQuietly(writer, directory);
            throw new RagException(dir + ": index is open for writing in another process");
        } catch (CorruptIndexException | IndexFormatTooOldException | IndexFormatTooNewException e) {
            closeQuietly(writer, directory);
            throw new RagException(dir + ": not a readable index: " + e.getMessage(), e);
        } catch (IOException e) {
            closeQuietly(writer, directory);
            throw new RagException(dir + ": cannot open index: " + e, e);
        } catch (RuntimeException e) {
            closeQuietly(writer, directory);
            throw e;
        }
    }

    /** Opens an existing index for searching only (no lock taken; sees the last commit). */
    public static LuceneStore openReadOnly(Path dir) {
        Directory directory = null;
        try {
            directory = FSDirectory.open(dir);
            if (!DirectoryReader.indexExists(directory)) {
                throw new RagException(dir + ": no index there");
            }
            Map<String, String> committed = readCommitData(directory);
            String dim = committed.get(DIMENSION_KEY);
            if (dim == null) {
                throw new RagException(dir + ": not an aloe4j index (no dimension recorded)");
            }
            SearcherManager searchers = new SearcherManager(directory, new SearcherFactory());
            return new LuceneStore(dir, directory, Integer.parseInt(dim), Options.DEFAULT, null, searchers,
                    userMetadata(committed));
        } catch (CorruptIndexException | IndexFormatTooOldException | IndexFormatTooNewException e) {
            closeQuietly(null, directory);
            throw new RagException(dir + ": not a readable index: " + e.getMessage(), e);
        } catch (IOException e) {
            closeQuietly(null, directory);
            throw new RagException(dir + ": cannot open index: " + e, e);
        } catch (RuntimeException e) {
            closeQuietly(null, directory);
            throw e;
        }
    }

    private static Map<String, String> readCommitData(Directory directory) throws IOException {
        try (DirectoryReader reader = DirectoryReader.open(directory)) {
            return new HashMap<>(reader.getIndexCommit().getUserData());
        }
    }

    private static void checkDimension(Path dir, Map<String, String> committed, int dimension) {
        String stored = committed.get(DIMENSION_KEY);
        if (stored != null && Integer.parseInt(stored) != dimension) {
            throw new RagException(dir + ": index holds vectors of dimension " + stored + ", not " + dimension
                    + " (was it built with another embedder?)");
        }
    }

    private static Map<String, String> userMetadata(Map<String, String> committed) {
        Map<String, String> out = new LinkedHashMap<>();
        committed.forEach((k, v) -> {
            if (k.startsWith(META_PREFIX)) {
                out.put(k.substring(META_PREFIX.length()), v);
            }
        });
        return out;
    }

    private static void closeQuietly(IndexWriter writer, Directory directory) {
        try {
            if (writer != null) {
                writer.rollback();
            }
        } catch (IOException | RuntimeException ignored) {
            // already failing: the first error is the one to report
        }
        try {
            if (directory != null) {
                directory.close();
            }
        } catch (IOException | RuntimeException ignored) {
            // idem
        }
    }

    public Path path() {
        return path;
    }

    @Override
    public int dimension() {
        return dimension;
    }

    public boolean isReadOnly() {
        return writer == null;
    }

    private IndexWriter writer() {
        if (writer == null) {
            throw new RagException(path + ": index is open read-only");
        }
        return writer;
    }

    @Override
    public synchronized void add(List<StoredDocument> documents) {
        IndexWriter w = writer();
        for (StoredDocument d : documents) {
            try {
                w.updateDocument(new Term(ID, d.id()), toLucene(d));
            } catch (IOException e) {
                throw new RagException(path + ": cannot add document " + d.id() + ": " + e, e);
            }
            changes.incrementAndGet();
            if (options.commitEvery() > 0 && ++addedSinceCommit >= options.commitEvery()) {
                commit();
            }
        }
    }

    private Document toLucene(StoredDocument d) {
        if (d.vector().length != dimension) {
            throw new RagException(path + ": document " + d.id() + " has a vector of " + d.vector().length
                    + " values, the index holds " + dimension);
        }
        float[] unit;
        try {
            unit = Vectors.normalized(d.vector());
        } catch (IllegalArgumentException e) {
            throw new RagException(path + ": document " + d.id() + ": " + e.getMessage());
        }
        Document doc = new Document();
        doc.add(new StringField(ID, d.id(), Field.Store.YES));
        doc.add(new TextField(TEXT, d.text(), Field.Store.YES));
        doc.add(new KnnFloatVectorField(VECTOR, unit, VectorSimilarityFunction.DOT_PRODUCT));
        d.fields().forEach((k, v) -> doc.add(new StringField(FIELD_PREFIX + k, v, Field.Store.YES)));
        return doc;
    }

    @Override
    public synchronized void commit() {
        IndexWriter w = writer();
        Map<String, String> data = new LinkedHashMap<>();
        data.put(DIMENSION_KEY, Integer.toString(dimension));
        metadata.forEach((k, v) -> data.put(META_PREFIX + k, v));
        try {
            w.setLiveCommitData(data.entrySet());
            w.commit();
        } catch (IOException e) {
            throw new RagException(path + ": commit failed: " + e, e);
        }
        addedSinceCommit = 0;
        if (options.onCommit() != null) {
            options.onCommit().accept(w.getDocStats().numDocs);
        }
    }

    /** Merges the index into one segment: fewer HNSW graphs to search, so faster queries after a bulk load. */
    public synchronized void forceMerge() {
        try {
            writer().forceMerge(1);
            changes.incrementAndGet();
        } catch (IOException e) {
            throw new RagException(path + ": merge failed: " + e, e);
        }
    }

    @Override
    public synchronized void deleteWhere(String field, String value) {
        try {
            writer().deleteDocuments(new Term(FIELD_PREFIX + field, value));
            changes.incrementAndGet();
        } catch (IOException e) {
            throw new RagException(path + ": delete failed: " + e, e);
        }
    }

    @Override
    public List<SearchHit> nearest(float[] query, int k) {
        return nearest(query, k, options.searchBreadth());
    }

    /**
     * As {@link #nearest(float[], int)} with another HNSW search breadth (candidates collected per segment): larger
     * is slower and finds the exact neighbours more often.
     */
    public List<SearchHit> nearest(float[] query, int k, int searchBreadth) {
        if (query.length != dimension) {
            throw new RagException(path + ": query vector has " + query.length + " values, the index holds "
                    + dimension);
        }
        if (k < 1) {
            return List.of();
        }
        Query knn = new KnnFloatVectorQuery(VECTOR, Vectors.normalized(query), Math.max(k, searchBreadth));
        // DOT_PRODUCT scores are (1 + cos) / 2: turned back into the cosine
        return search(knn, k, score -> 2.0 * score - 1.0);
    }

    @Override
    public boolean supportsTextSearch() {
        return true;
    }

    @Override
    public List<SearchHit> textSearch(String query, int k) {
        BooleanQuery.Builder bq = new BooleanQuery.Builder();
        List<String> terms = analyze(query);
        int clauses = 0;
        for (String term : terms) {
            if (clauses++ == IndexSearcher.getMaxClauseCount()) {
                break;
            }
            bq.add(new TermQuery(new Term(TEXT, term)), BooleanClause.Occur.SHOULD);
        }
        if (terms.isEmpty() || k < 1) {
            return List.of();
        }
        return search(bq.build(), k, score -> score);
    }

    private List<String> analyze(String text) {
        List<String> out = new ArrayList<>();
        try (TokenStream ts = analyzer.tokenStream(TEXT, text)) {
            CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
            ts.reset();
            while (ts.incrementToken()) {
                out.add(term.toString());
            }
            ts.end();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in-memory analysis: cannot happen
        }
        return out;
    }

    private interface ScoreMap {
        double apply(double luceneScore);
    }

    private List<SearchHit> search(Query query, int k, ScoreMap scoreMap) {
        IndexSearcher searcher = acquire();
        try {
            TopDocs top = searcher.search(query, k);
            StoredFields stored = searcher.storedFields();
            List<SearchHit> hits = new ArrayList<>(top.scoreDocs.length);
            for (ScoreDoc sd : top.scoreDocs) {
                hits.add(toHit(stored.document(sd.doc), scoreMap.apply(sd.score)));
            }
            return hits;
        } catch (IOException e) {
            throw new RagException(path + ": search failed: " + e, e);
        } finally {
            release(searcher);
        }
    }

    static SearchHit toHit(Document doc, double score) {
        Map<String, String> fields = new HashMap<>();
        for (IndexableField f : doc.getFields()) {
            if (f.name().startsWith(FIELD_PREFIX)) {
                fields.put(f.name().substring(FIELD_PREFIX.length()), f.stringValue());
            }
        }
        return new SearchHit(doc.get(ID), doc.get(TEXT), fields, score);
    }

    private IndexSearcher acquire() {
        try {
            long wanted = changes.get();
            if (visibleChanges < wanted) {
                synchronized (refreshLock) {
                    if (visibleChanges < wanted) {
                        searchers.maybeRefreshBlocking();
                        visibleChanges = wanted;
                    }
                }
            }
            return searchers.acquire();
        } catch (IOException e) {
            throw new RagException(path + ": cannot refresh the searcher: " + e, e);
        }
    }

    private void release(IndexSearcher searcher) {
        try {
            searchers.release(searcher);
        } catch (IOException e) {
            throw new RagException(path + ": " + e, e);
        }
    }

    @Override
    public long count() {
        IndexSearcher searcher = acquire();
        try {
            return searcher.getIndexReader().numDocs();
        } finally {
            release(searcher);
        }
    }

    @Override
    public synchronized Map<String, String> metadata() {
        return Map.copyOf(metadata);
    }

    @Override
    public synchronized void putMetadata(String key, String value) {
        writer();
        metadata.put(Objects.requireNonNull(key), Objects.requireNonNull(value));
    }

    @Override
    public synchronized void close() {
        try {
            searchers.close();
            if (writer != null) {
                commit();
                writer.close();
            }
            directory.close();
        } catch (IOException e) {
            throw new RagException(path + ": close failed: " + e, e);
        }
    }
}
