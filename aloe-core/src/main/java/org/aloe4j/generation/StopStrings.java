package org.aloe4j.generation;

import java.util.List;

/**
 * Watches generated text for stop strings. Text that could still become the start of a stop string is held back,
 * so a caller streaming {@link #offer} results never shows any part of a stop string.
 */
public final class StopStrings {
    private final List<String> stops;
    private final StringBuilder text = new StringBuilder();
    private int emitted;
    private boolean stopped;

    public StopStrings(List<String> stops) {
        this.stops = stops.stream().filter(s -> !s.isEmpty()).toList();
    }

    /** Adds new text; returns the part that is now safe to show (possibly empty). */
    public String offer(String piece) {
        if (stopped) {
            return "";
        }
        text.append(piece);
        int cut = -1;
        for (String s : stops) {
            int at = text.indexOf(s, Math.max(0, emitted - s.length() + 1));
            if (at >= 0 && (cut < 0 || at < cut)) {
                cut = at;
            }
        }
        if (cut >= 0) {
            stopped = true;
            text.setLength(cut);
            return drainTo(Math.max(cut, emitted));
        }
        int safe = text.length();
        for (String s : stops) {
            for (int k = Math.min(s.length() - 1, text.length()); k > 0; k--) {
                if (text.length() - k >= emitted && text.substring(text.length() - k).equals(s.substring(0, k))) {
                    safe = Math.min(safe, text.length() - k);
                    break;
                }
            }
        }
        return drainTo(safe);
    }

    /** The held-back rest, at the end of generation without a stop string. */
    public String flush() {
        return drainTo(text.length());
    }

    public boolean stopped() {
        return stopped;
    }

    /** The full text so far, without the stop string and what followed it. */
    public String text() {
        return text.toString();
    }

    private String drainTo(int end) {
        if (end <= emitted) {
            return "";
        }
        String s = text.substring(emitted, end);
        emitted = end;
        return s;
    }
}
