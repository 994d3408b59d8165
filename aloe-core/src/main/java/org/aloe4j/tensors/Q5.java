package org.aloe4j.tensors;

import static org.aloe4j.tensors.Simd.I;

import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/** Shared decoding step of Q5_0 and Q5_1. */
final class Q5 {
    private Q5() {}

    /** For lanes {@code i}: bit {@code first + i} of {@code qh} (broadcast), moved to value 16 (the fifth bit). */
    static IntVector highBit(IntVector qh, int first) {
        IntVector shifts = IntVector.fromArray(I, Simd.IOTA, first);
        return qh.lanewise(VectorOperators.LSHR, shifts).and(1).lanewise(VectorOperators.LSHL, 4);
    }
}
