package dev.computeagent.agent.text;

import org.jspecify.annotations.Nullable;

/**
 * Makes text that came from a message (names, ids, reasons quoting a field) safe for a log line or an
 * event: a line break, NUL, ESC or any other control character, a Unicode line or paragraph separator
 * and the bidirectional overrides are written as escapes ({@code \n}, {@code \r}, {@code \t},
 * {@code \u0000}), so such text can neither forge a log line nor drive a terminal. Everything else
 * is kept as it is. The one place where message-derived text is escaped; thread-safe, never throws.
 */
public final class Untrusted {

    private Untrusted() {
    }

    /** {@code text} with every unsafe character escaped; null becomes {@code "null"}. */
    public static String text(@Nullable String text) {
        if (text == null) {
            return "null";
        }
        int first = firstUnsafe(text);
        if (first < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, first);
        for (int i = first; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (unsafe(c)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    private static int firstUnsafe(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (unsafe(text.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    private static boolean unsafe(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f)
                || c == '\u2028' || c == '\u2029'
                || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069')
                || c == '\u200e' || c == '\u200f' || c == '\u061c';
    }
}
