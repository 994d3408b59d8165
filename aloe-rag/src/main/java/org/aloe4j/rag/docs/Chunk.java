package org.aloe4j.rag.docs;

/**
 * A piece of a document as indexed: the source file, where in it ("page 3" for a PDF, "line 12" for JSON lines,
 * "" for plain text and Markdown), its position among the file's chunks (0-based) and its text.
 */
public record Chunk(String source, String location, int position, String text) {}
