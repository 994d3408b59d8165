package org.aloe4j.rag.docs;

/** A stretch of a document's text before chunking: a whole text file, one PDF page, one JSON line. */
public record Section(String location, String text) {}
