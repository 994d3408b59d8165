package org.aloe4j.rag.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import org.aloe4j.rag.RagException;
import org.aloe4j.rag.embed.Vectors;
import org.postgresql.util.PGobject;

/**
 * A {@link VectorStore} in a PostgreSQL table with the pgvector extension, through the standard JDBC driver:
 *
 * <pre>
 * TABLE (id text PRIMARY KEY, text text, fields jsonb, embedding vector(N))
 * INDEX USING hnsw (embedding vector_cosine_ops)
 * query: ORDER BY embedding &lt;=&gt; ? LIMIT k   (score = 1 - cosine distance)
 * </pre>
 *
 * plus a {@code TABLE_meta} key/value table for {@link #metadata()}. Each {@link #add} call is one transaction, so
 * it is durable when it returns and {@link #commit()} has nothing left to do. No text search (PostgreSQL's full
 * text ranking is not BM25): {@link #hybrid} falls back to the vector search.
 */
public final class PgVectorStore implements VectorStore {

    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,40}");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {};

    private final Connection connection;
    private final String table;
    private final int dimension;
    private final String where;

    private PgVectorStore(Connection connection, String table, int dimension, String where) {
        this.connection = connection;
        this.table = table;
        this.dimension = dimension;
        this.where = where;
    }

    /**
     * Connects, creates the extension, table and HNSW index if missing, and checks the table's vector dimension.
     *
     * @param jdbcUrl e.g. {@code jdbc:postgresql://localhost:5432/db}
     * @param table a lower-case SQL identifier
     * @param efSearch HNSW candidate list size per query ({@code hnsw.ef_search}, pgvector's default is 40)
     */
    public static PgVectorStore open(String jdbcUrl, Properties connectionProperties, String table, int dimension,
            int efSearch) {
        if (!IDENTIFIER.matcher(table).matches()) {
            throw new IllegalArgumentException("table name must be a lower-case SQL identifier: " + table);
        }
        if (dimension < 1 || dimension > 16000) {
            throw new IllegalArgumentException("pgvector dimension must be in 1..16000: " + dimension);
        }
        String where = jdbcUrl.replaceAll("password=[^&]*", "password=***") + " table " + table;
        Connection c = null;
        try {
            c = DriverManager.getConnection(jdbcUrl, connectionProperties);
            c.setAutoCommit(true);
            try (Statement s = c.createStatement()) {
                s.execute("CREATE EXTENSION IF NOT EXISTS vector");
                s.execute("CREATE TABLE IF NOT EXISTS " + table + " (id text PRIMARY KEY, text text NOT NULL, "
                        + "fields jsonb NOT NULL, embedding vector(" + dimension + ") NOT NULL)");
                s.execute("CREATE INDEX IF NOT EXISTS " + table + "_embedding_hnsw ON " + table
                        + " USING hnsw (embedding vector_cosine_ops)");
                s.execute("CREATE TABLE IF NOT EXISTS " + table + "_meta (key text PRIMARY KEY, value text NOT NULL)");
                s.execute("SET hnsw.ef_search = " + Math.max(1, efSearch));
            }
            int actual = columnDimension(c, table);
            if (actual != dimension) {
                throw new RagException(where + ": holds vectors of dimension " + actual + ", not " + dimension);
            }
            return new PgVectorStore(c, table, dimension, where);
        } catch (SQLException e) {
            closeQuietly(c);
            throw new RagException(where + ": " + oneLine(e), e);
        } catch (RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
    }

    /** The n of the {@code vector(n)} column, read from the catalog (atttypmod holds it). */
    private static int columnDimension(Connection c, String table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT a.atttypmod FROM pg_attribute a "
                + "JOIN pg_class t ON a.attrelid = t.oid WHERE t.relname = ? AND a.attname = 'embedding'")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getInt(1) : -1;
            }
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (SQLException ignored) {
            // already failing
        }
    }

    private static String oneLine(SQLException e) {
        return String.valueOf(e.getMessage()).replaceAll("\\s+", " ").strip();
    }

    static PGobject vectorLiteral(float[] v) {
        StringBuilder sb = new StringBuilder(v.length * 12).append('[');
        for (int i = 0; i < v.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(v[i]);
        }
        PGobject o = new PGobject();
        o.setType("vector");
        try {
            o.setValue(sb.append(']').toString());
        } catch (SQLException e) {
            throw new IllegalStateException(e); // PGobject.setValue does not validate
        }
        return o;
    }

    private static PGobject jsonb(Map<String, String> fields) {
        PGobject o = new PGobject();
        o.setType("jsonb");
        try {
            o.setValue(JSON.writeValueAsString(fields));
        } catch (JsonProcessingException | SQLException e) {
            throw new IllegalStateException(e);
        }
        return o;
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public synchronized void add(List<StoredDocument> documents) {
        if (documents.isEmpty()) {
            return;
        }
        String sql = "INSERT INTO " + table + " (id, text, fields, embedding) VALUES (?, ?, ?, ?) "
                + "ON CONFLICT (id) DO UPDATE SET text = EXCLUDED.text, fields = EXCLUDED.fields, "
                + "embedding = EXCLUDED.embedding";
        try {
            connection.setAutoCommit(false);
            try (PreparedStatement ps = connection.prepareStatement(sql)) {
                for (StoredDocument d : documents) {
                    if (d.vector().length != dimension) {
                        throw new RagException(where + ": document " + d.id() + " has a vector of "
                                + d.vector().length + " values, the table holds " + dimension);
                    }
                    float[] unit;
                    try {
                        unit = Vectors.normalized(d.vector());
                    } catch (IllegalArgumentException e) {
                        throw new RagException(where + ": document " + d.id() + ": " + e.getMessage());
                    }
                    ps.setString(1, d.id());
                    ps.setString(2, d.text());
                    ps.setObject(3, jsonb(d.fields()));
                    ps.setObject(4, vectorLiteral(unit));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly();
            if (e instanceof RuntimeException re) {
                throw re;
            }
            throw new RagException(where + ": insert failed: " + oneLine((SQLException) e), e);
        } finally {
            autoCommit();
        }
    }

    private void rollbackQuietly() {
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // the insert error is the one to report
        }
    }

    private void autoCommit() {
        try {
            connection.setAutoCommit(true);
        } catch (SQLException e) {
            throw new RagException(where + ": " + oneLine(e), e);
        }
    }

    @Override
    public void commit() {
        // every add() is its own committed transaction
    }

    @Override
    public synchronized List<SearchHit> nearest(float[] query, int k) {
        if (query.length != dimension) {
            throw new RagException(where + ": query vector has " + query.length + " values, the table holds "
                    + dimension);
        }
        if (k < 1) {
            return List.of();
        }
        PGobject q = vectorLiteral(Vectors.normalized(query));
        String sql = "SELECT id, text, fields::text, 1 - (embedding <=> ?) AS similarity FROM " + table
                + " ORDER BY embedding <=> ? LIMIT ?";
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setObject(1, q);
            ps.setObject(2, q);
            ps.setInt(3, k);
            List<SearchHit> hits = new ArrayList<>(k);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    hits.add(new SearchHit(rs.getString(1), rs.getString(2), JSON.readValue(rs.getString(3),
                            STRING_MAP), rs.getDouble(4)));
                }
            }
            return hits;
        } catch (SQLException e) {
            throw new RagException(where + ": search failed: " + oneLine(e), e);
        } catch (JsonProcessingException e) {
            throw new RagException(where + ": a row has malformed fields: " + e.getOriginalMessage(), e);
        }
    }

    @Override
    public synchronized void deleteWhere(String field, String value) {
        try (PreparedStatement ps = connection.prepareStatement("DELETE FROM " + table + " WHERE fields->>? = ?")) {
            ps.setString(1, field);
            ps.setString(2, value);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new RagException(where + ": delete failed: " + oneLine(e), e);
        }
    }

    @Override
    public synchronized long count() {
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new RagException(where + ": count failed: " + oneLine(e), e);
        }
    }

    @Override
    public synchronized Map<String, String> metadata() {
        Map<String, String> out = new LinkedHashMap<>();
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery("SELECT key, value FROM " + table + "_meta ORDER BY key")) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getString(2));
            }
            return out;
        } catch (SQLException e) {
            throw new RagException(where + ": " + oneLine(e), e);
        }
    }

    @Override
    public synchronized void putMetadata(String key, String value) {
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO " + table + "_meta (key, value) "
                + "VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value")) {
            ps.setString(1, key);
            ps.setString(2, value);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new RagException(where + ": " + oneLine(e), e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            throw new RagException(where + ": " + oneLine(e), e);
        }
    }
}
