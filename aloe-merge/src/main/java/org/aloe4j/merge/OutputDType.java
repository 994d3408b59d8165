package org.aloe4j.merge;

import org.aloe4j.formats.safetensors.SafeTensorsDType;

/** The {@code dtype} / {@code out_dtype} names of a merge configuration (mergekit's {@code dtype_from_name}). */
final class OutputDType {
    private OutputDType() {}

    /** The element type named {@code name} ("bfloat16", "float16", "float32", optionally "torch."-prefixed). */
    static SafeTensorsDType byName(String name) {
        String n = name.startsWith("torch.") ? name.substring("torch.".length()) : name;
        return switch (n) {
            case "bfloat16" -> SafeTensorsDType.BF16;
            case "float16" -> SafeTensorsDType.F16;
            case "float32" -> SafeTensorsDType.F32;
            default -> throw new MergeException("dtype '" + name + "' is not supported (use bfloat16, float16 or float32)");
        };
    }

    /** The name config.json uses for {@code dtype} ({@code torch_dtype}). */
    static String torchName(SafeTensorsDType dtype) {
        return switch (dtype) {
            case BF16 -> "bfloat16";
            case F16 -> "float16";
            case F32 -> "float32";
            default -> throw new IllegalArgumentException(dtype.toString());
        };
    }
}
