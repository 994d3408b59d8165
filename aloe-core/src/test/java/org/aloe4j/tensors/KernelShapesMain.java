package org.aloe4j.tensors;

import org.aloe4j.formats.gguf.GGMLType;

/**
 * Runs {@link DotChecks} for every type in this JVM; {@link TensorDotTest} starts it with
 * {@code -Daloe.vector.bits=...} to test the vector widths this machine does not pick by itself.
 */
public final class KernelShapesMain {
    private KernelShapesMain() {}

    public static void main(String[] args) {
        System.out.println("vector bits " + Simd.BITS + ", lanes " + Simd.LANES);
        for (GGMLType type : DotChecks.TYPES) {
            DotChecks.checkOneHot(type, 11);
            DotChecks.checkDequantizeBlocks(type, 13);
            DotChecks.checkDotRows(type, 19);
            double worst = DotChecks.checkRandomRows(type, 7);
            System.out.printf("%s ok (worst |diff|/tolerance %.3g)%n", type, worst);
        }
        if (Simd.ENABLED) {
            for (GGMLType type : DotChecks.INTEGER_TYPES) {
                DotChecks.checkQuantizedOneHot(type, 11);
                DotChecks.checkQuantizedRows(type, 19);
                double worst = DotChecks.checkQuantizedRandomRows(type, 7);
                System.out.printf("%s integer kernel ok (worst |diff|/tolerance %.3g)%n", type, worst);
            }
        }
    }
}
