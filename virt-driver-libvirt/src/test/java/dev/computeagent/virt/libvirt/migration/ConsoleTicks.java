package dev.computeagent.virt.libvirt.migration;

import dev.computeagent.virt.testing.TinyGuestImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the tiny guest wrote into one console log: boot markers and {@code TICK n} counters. Public
 * for the agent-level migration benchmark in compute-agent, which checks the same guest.
 */
public record ConsoleTicks(int boots, List<Integer> ticks) {

    private static final Pattern TICK = Pattern.compile("TICK (\\d+)");

    /** Reads {@code log}; a missing file reads as no boots and no ticks. */
    public static ConsoleTicks read(Path log) {
        if (!Files.exists(log)) {
            return new ConsoleTicks(0, List.of());
        }
        String text;
        try {
            text = Files.readString(log, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int boots = 0;
        for (int at = text.indexOf(TinyGuestImage.BOOT_MARKER); at >= 0;
             at = text.indexOf(TinyGuestImage.BOOT_MARKER, at + 1)) {
            boots++;
        }
        List<Integer> ticks = new ArrayList<>();
        Matcher matcher = TICK.matcher(text);
        while (matcher.find()) {
            ticks.add(Integer.parseInt(matcher.group(1)));
        }
        return new ConsoleTicks(boots, List.copyOf(ticks));
    }

    /** The last counter printed, 0 before the first. */
    public int last() {
        return ticks.isEmpty() ? 0 : ticks.get(ticks.size() - 1);
    }
}
