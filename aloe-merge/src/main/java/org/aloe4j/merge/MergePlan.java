package org.aloe4j.merge;

import java.util.Arrays;
import java.util.List;
import org.aloe4j.formats.safetensors.SafeTensorsDType;

/**
 * What a merge will write: every output tensor with its element type, shape and the task that computes it, in
 * writing order; plus the warnings raised while planning (e.g. embeddings cut to a common size).
 */
record MergePlan(List<PlannedTensor> tensors, List<String> warnings) {

    /** One output tensor. */
    record PlannedTensor(String name, SafeTensorsDType dtype, long[] shape, TensorMergeTask task) {
        PlannedTensor {
            shape = shape.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        long bytes() {
            return task.size() * dtype.byteSize();
        }

        @Override
        public String toString() {
            return name + " " + dtype + " " + Arrays.toString(shape);
        }
    }

    MergePlan {
        tensors = List.copyOf(tensors);
        warnings = List.copyOf(warnings);
    }

    /** Bytes of tensor data to write. */
    long dataBytes() {
        long total = 0;
        for (PlannedTensor t : tensors) {
            total += t.bytes();
        }
        return total;
    }
}
