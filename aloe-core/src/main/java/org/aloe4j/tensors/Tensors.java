package org.aloe4j.tensors;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.aloe4j.formats.gguf.GGMLType;

/** Makes the {@link Tensor} class for a ggml type. */
public final class Tensors {
    private Tensors() {}

    private static final Set<GGMLType> SUPPORTED = EnumSet.of(GGMLType.F32, GGMLType.F16, GGMLType.BF16,
            GGMLType.Q8_0, GGMLType.Q4_0, GGMLType.Q4_1, GGMLType.Q5_0, GGMLType.Q5_1, GGMLType.Q2_K,
            GGMLType.Q3_K, GGMLType.Q4_K, GGMLType.Q5_K, GGMLType.Q6_K);

    private static final String SUPPORTED_LIST =
            Arrays.stream(GGMLType.values()).filter(SUPPORTED::contains).map(Enum::name)
                    .collect(Collectors.joining(", "));

    /** Whether {@link #wrap} accepts this type. */
    public static boolean isSupported(GGMLType type) {
        return SUPPORTED.contains(type);
    }

    /**
     * A tensor over {@code data} (little-endian ggml blocks, {@code rows * rowBytes} bytes; not copied).
     *
     * @param cols values per row (ggml {@code ne0})
     * @throws UnsupportedTensorTypeException when the type has no kernel
     * @throws IllegalArgumentException when the shape does not match the type or the data size
     */
    public static Tensor wrap(String name, GGMLType type, MemorySegment data, long rows, int cols) {
        return switch (type) {
            case F32 -> new F32Tensor(name, data, rows, cols);
            case F16 -> new F16Tensor(name, data, rows, cols);
            case BF16 -> new BF16Tensor(name, data, rows, cols);
            case Q8_0 -> new Q8_0Tensor(name, data, rows, cols);
            case Q4_0 -> new Q4_0Tensor(name, data, rows, cols);
            case Q4_1 -> new Q4_1Tensor(name, data, rows, cols);
            case Q5_0 -> new Q5_0Tensor(name, data, rows, cols);
            case Q5_1 -> new Q5_1Tensor(name, data, rows, cols);
            case Q2_K -> new Q2_KTensor(name, data, rows, cols);
            case Q3_K -> new Q3_KTensor(name, data, rows, cols);
            case Q4_K -> new Q4_KTensor(name, data, rows, cols);
            case Q5_K -> new Q5_KTensor(name, data, rows, cols);
            case Q6_K -> new Q6_KTensor(name, data, rows, cols);
            default -> throw new UnsupportedTensorTypeException("tensor '" + name + "' has type " + type
                    + ", which aloe4j cannot compute with (supported: " + SUPPORTED_LIST + ")");
        };
    }
}
