package org.aloe4j.eval.method;

/** Which answer wins when several reach the top vote count. Either way the item is counted as a draw. */
public enum TieBreak {
    /** The answer that reached the top count first, walking the runs in order (the rule of the issue). */
    FIRST_TO_REACH_TOP,
    /** The answer that appeared first among the tied ones (what prompt_engine's evaluate.py code does). */
    FIRST_SEEN
}
