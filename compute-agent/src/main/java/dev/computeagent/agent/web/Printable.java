package dev.computeagent.agent.web;

/** Makes client-supplied text safe to echo in an error body: bounded length, no control characters. */
final class Printable {

    private Printable() {
    }

    static String truncate(String text, int max) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), max) + 1);
        text.codePoints().limit(max).forEach(cp -> out.appendCodePoint(Character.isISOControl(cp) ? '?' : cp));
        return text.codePointCount(0, text.length()) > max ? out.append('…').toString() : out.toString();
    }
}
