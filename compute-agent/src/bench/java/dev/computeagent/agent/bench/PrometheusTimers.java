package dev.computeagent.agent.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sums and counts of the agent's timers from one {@code /actuator/prometheus} scrape, keyed by
 * metric name plus label set, so that two scrapes give the time spent between them.
 */
final class PrometheusTimers {

    private static final Pattern LINE = Pattern.compile("^(\\w+)_seconds_(sum|count)\\{([^}]*)\\} ([0-9.eE+-]+)$");
    private final Map<String, double[]> timers = new LinkedHashMap<>();

    PrometheusTimers(String text) {
        for (String line : text.split("\n")) {
            Matcher m = LINE.matcher(line.trim());
            if (m.matches()) {
                double[] v = timers.computeIfAbsent(m.group(1) + "{" + m.group(3) + "}", k -> new double[2]);
                v[m.group(2).equals("sum") ? 0 : 1] = Double.parseDouble(m.group(4));
            }
        }
    }

    /** Mean milliseconds per observation between {@code before} and this scrape, per timer. */
    Map<String, String> meanSince(PrometheusTimers before, String prefix) {
        Map<String, String> out = new LinkedHashMap<>();
        timers.forEach((key, now) -> {
            if (!key.startsWith(prefix)) {
                return;
            }
            double[] then = before.timers.getOrDefault(key, new double[2]);
            double count = now[1] - then[1];
            if (count > 0) {
                out.put(key, String.format(Locale.ROOT, "%.1f ms (n=%.0f)", (now[0] - then[0]) * 1000 / count,
                        count));
            }
        });
        return out;
    }
}
