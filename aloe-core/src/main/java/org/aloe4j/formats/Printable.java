package org.aloe4j.formats;

/** Makes names read from files safe to put in a one-line error message. */
public final class Printable {
    private static final int MAX_CHARS = 100;

    private Printable() {}

    /** {@code s} with control characters escaped as {@code \xNN} and cut to 100 characters (then "..."). */
    public static String of(String s) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), MAX_CHARS) + 3);
        for (int i = 0; i < s.length(); i++) {
            if (sb.length() >= MAX_CHARS) {
                sb.append("...");
                break;
            }
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029' || c == '\u0085') {
                sb.append(String.format("\\x%02x", (int) c & 0xff));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
