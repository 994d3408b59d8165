package org.aloe4j.generation;

/** The whole reply with its stop reason and token counts. The text excludes stop tokens and stop strings. */
public record GenerationResult(String text, FinishReason finishReason, Usage usage) {}
