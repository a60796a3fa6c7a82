package dev.computeagent.agent.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One agent migration on the agents' own clocks: its events ({@link MigrationSteps#agentStamps}) merged
 * with the two agents' log lines of the same interval, as offsets from the {@code migrate} start event.
 * Shows what happens between two step events that the events alone cannot split (e.g. the source's
 * bookkeeping before and after the driver's "starting" / "done" lines). Both clocks are this machine's.
 */
final class HopTimeline {

    private record Line(Instant at, int order, String who, String text) {
    }

    private HopTimeline() {
    }

    /** @param logs agent name to its log file */
    static void print(PrintStream out, List<MigrationSteps.Stamp> stamps, Map<String, Path> logs) throws IOException {
        if (stamps.isEmpty()) {
            return;
        }
        Instant from = stamps.get(0).at();
        Instant to = stamps.get(stamps.size() - 1).at();
        List<Line> lines = new ArrayList<>();
        for (MigrationSteps.Stamp s : stamps) {
            lines.add(new Line(s.at(), lines.size(), s.host(), "event " + s.event()));
        }
        for (Map.Entry<String, Path> log : logs.entrySet()) {
            for (String line : Files.readAllLines(log.getValue())) {
                Instant at = timestamp(line);
                if (at != null && !at.isBefore(from) && !at.isAfter(to)) {
                    int colon = line.indexOf(" : ");
                    lines.add(new Line(at, lines.size(), log.getKey(), "log   " + (colon < 0 ? line : line.substring(colon + 3))));
                }
            }
        }
        lines.sort(Comparator.comparing(Line::at).thenComparingInt(Line::order));
        for (Line l : lines) {
            out.printf(Locale.ROOT, "  +%4d ms  %-16s %s%n", Duration.between(from, l.at()).toMillis(), l.who(), l.text());
        }
    }

    private static Instant timestamp(String line) {
        int space = line.indexOf(' ');
        if (space < 20) {
            return null;
        }
        try {
            return Instant.parse(line.substring(0, space));
        } catch (DateTimeParseException notALogLine) {
            return null;
        }
    }
}
