package org.aloe4j.server;

/** Sees each forward pass of the batching scheduler (tests and diagnostics). Called on the scheduler thread. */
@FunctionalInterface
interface StepObserver {

    /**
     * @param rows       rows in the forward pass (prompt rows + decode rows)
     * @param decodeRows rows that decode one token of a running sequence
     * @param sequences  distinct sequences in the pass
     */
    void onStep(int rows, int decodeRows, int sequences);

    StepObserver NONE = (rows, decodeRows, sequences) -> {};
}
