package org.aloe4j.template;

import java.time.DayOfWeek;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.temporal.IsoFields;

/**
 * {@code datetime.now().strftime(fmt)} as Hugging Face's {@code strftime_now} runs it: CPython on glibc, C locale,
 * a naive local time (so {@code %z} and {@code %Z} are empty). Supports the C99/POSIX directives, the glibc flags
 * {@code -} (no padding), {@code _} (space padding), {@code 0} (zero padding), {@code ^} (upper case), and Python's
 * {@code %f}. An unknown directive is copied as it is, as glibc does.
 */
final class PythonStrftime {
    private PythonStrftime() {}

    private static final String[] DAYS = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
    private static final String[] MONTHS = {"January", "February", "March", "April", "May", "June", "July",
        "August", "September", "October", "November", "December"};

    static String format(String fmt, LocalDateTime t) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < fmt.length()) {
            char c = fmt.charAt(i);
            if (c != '%' || i + 1 >= fmt.length()) {
                out.append(c);
                i++;
                continue;
            }
            int start = i;
            i++;
            char flag = 0;
            while (i < fmt.length() && "-_0^#".indexOf(fmt.charAt(i)) >= 0) {
                flag = fmt.charAt(i);
                i++;
            }
            if (i >= fmt.length()) {
                out.append(fmt, start, fmt.length());
                break;
            }
            char d = fmt.charAt(i++);
            String field = directive(d, flag, t);
            if (field == null) {
                out.append(fmt, start, i);
            } else {
                out.append(flag == '^' ? field.toUpperCase(java.util.Locale.ROOT) : field);
            }
        }
        return out.toString();
    }

    private static String directive(char d, char flag, LocalDateTime t) {
        int dayIndex = t.getDayOfWeek().getValue() - 1; // Monday = 0
        int sundayBased = t.getDayOfWeek() == DayOfWeek.SUNDAY ? 0 : t.getDayOfWeek().getValue();
        int hour12 = t.getHour() % 12 == 0 ? 12 : t.getHour() % 12;
        int yday = t.getDayOfYear() - 1;
        return switch (d) {
            case 'a' -> DAYS[dayIndex].substring(0, 3);
            case 'A' -> DAYS[dayIndex];
            case 'b', 'h' -> MONTHS[t.getMonthValue() - 1].substring(0, 3);
            case 'B' -> MONTHS[t.getMonthValue() - 1];
            case 'c' -> format("%a %b %e %H:%M:%S %Y", t);
            case 'C' -> num(Math.floorDiv(t.getYear(), 100), 2, '0', flag);
            case 'd' -> num(t.getDayOfMonth(), 2, '0', flag);
            case 'D', 'x' -> format("%m/%d/%y", t);
            case 'e' -> num(t.getDayOfMonth(), 2, ' ', flag);
            case 'f' -> num(t.getNano() / 1000, 6, '0', flag);
            case 'F' -> format("%Y-%m-%d", t);
            case 'G' -> Integer.toString(t.get(IsoFields.WEEK_BASED_YEAR));
            case 'g' -> num(Math.floorMod(t.get(IsoFields.WEEK_BASED_YEAR), 100), 2, '0', flag);
            case 'H' -> num(t.getHour(), 2, '0', flag);
            case 'I' -> num(hour12, 2, '0', flag);
            case 'j' -> num(t.getDayOfYear(), 3, '0', flag);
            case 'k' -> num(t.getHour(), 2, ' ', flag);
            case 'l' -> num(hour12, 2, ' ', flag);
            case 'm' -> num(t.getMonthValue(), 2, '0', flag);
            case 'M' -> num(t.getMinute(), 2, '0', flag);
            case 'n' -> "\n";
            case 'p' -> t.getHour() < 12 ? "AM" : "PM";
            case 'P' -> t.getHour() < 12 ? "am" : "pm";
            case 'r' -> format("%I:%M:%S %p", t);
            case 'R' -> format("%H:%M", t);
            case 's' -> Long.toString(t.atZone(ZoneId.systemDefault()).toEpochSecond());
            case 'S' -> num(t.getSecond(), 2, '0', flag);
            case 't' -> "\t";
            case 'T', 'X' -> format("%H:%M:%S", t);
            case 'u' -> Integer.toString(dayIndex + 1);
            case 'U' -> num((yday + 7 - sundayBased) / 7, 2, '0', flag);
            case 'V' -> num(t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR), 2, '0', flag);
            case 'w' -> Integer.toString(sundayBased);
            case 'W' -> num((yday + 7 - dayIndex) / 7, 2, '0', flag);
            case 'y' -> num(Math.floorMod(t.getYear(), 100), 2, '0', flag);
            case 'Y' -> Integer.toString(t.getYear());
            case 'z', 'Z' -> "";
            case '%' -> "%";
            default -> null;
        };
    }

    private static String num(int value, int width, char pad, char flag) {
        String digits = Integer.toString(value);
        if (flag == '-') {
            return digits;
        }
        char p = flag == '_' ? ' ' : flag == '0' ? '0' : pad;
        return digits.length() >= width ? digits : String.valueOf(p).repeat(width - digits.length()) + digits;
    }
}
