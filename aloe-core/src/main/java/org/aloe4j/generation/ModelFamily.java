package org.aloe4j.generation;

/** Architecture families of the Aloe models. */
public enum ModelFamily { QWEN2, LLAMA, OTHER }
