package org.aloe4j.quantize;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.aloe4j.formats.gguf.GGMLType;

/**
 * The whole-file types that {@code aloe convert} and {@code aloe synth} write, named as llama-quantize names them,
 * with llama.cpp's {@code general.file_type} id (enum {@code llama_ftype}) and the base ggml type of their matrices.
 * Which matrix actually gets which type is decided by {@link TypeMix}.
 */
public enum FileType {
    F32(0, GGMLType.F32),
    F16(1, GGMLType.F16),
    BF16(32, GGMLType.BF16),
    Q8_0(7, GGMLType.Q8_0),
    Q4_0(2, GGMLType.Q4_0),
    Q4_K_M(15, GGMLType.Q4_K),
    Q5_K_M(17, GGMLType.Q5_K),
    Q6_K(18, GGMLType.Q6_K);

    /** llama.cpp's {@code llama_ftype} value, stored as {@code general.file_type}. */
    public final int llamaFileType;
    /** The type of an ordinary matrix before the mix's per-tensor rules. */
    public final GGMLType baseType;

    FileType(int llamaFileType, GGMLType baseType) {
        this.llamaFileType = llamaFileType;
        this.baseType = baseType;
    }

    /** Whether the matrices are block-quantized (not plain floats). */
    public boolean isQuantized() {
        return baseType.blockSize > 1;
    }

    /**
     * The type named {@code name}, case-insensitive ({@code q4_k_m} works).
     *
     * @throws IllegalArgumentException naming the supported types
     */
    public static FileType parse(String name) {
        for (FileType t : values()) {
            if (t.name().equalsIgnoreCase(name.trim())) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown type '" + name + "' (supported: " + supported() + ")");
    }

    /** The supported names, comma-separated. */
    public static String supported() {
        return Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return name().toUpperCase(Locale.ROOT);
    }
}
