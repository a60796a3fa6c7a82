package dev.computeagent.agent.bench;

import dev.computeagent.virt.libvirt.testing.Virsh;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The destination's statistics of the last completed job of a domain (its incoming migration), as
 * {@code virsh domjobinfo --completed --keep-completed} reports them. Read with virsh for both the
 * agent's instance and the unowned guest, so both paths are measured by the same instrument.
 *
 * @param jobMs      "Time elapsed" of the migration job
 * @param downtimeMs "Total downtime": the guest's pause at the switch-over
 */
record CompletedJob(long jobMs, long downtimeMs) {

    private static final Pattern ELAPSED = Pattern.compile("(?m)^Time elapsed:\\s+(\\d+)\\s+ms");
    private static final Pattern DOWNTIME = Pattern.compile("(?m)^Total downtime:\\s+(\\d+)\\s+ms");

    /** Reads the statistics of {@code domain} on {@code uri}; fails when libvirt kept none. */
    static CompletedJob read(String uri, String domain) {
        String out = Virsh.on(uri, "domjobinfo", "--completed", "--keep-completed", domain);
        return new CompletedJob(field(ELAPSED, out, domain), field(DOWNTIME, out, domain));
    }

    private static long field(Pattern pattern, String out, String domain) {
        Matcher m = pattern.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("no completed migration job of " + domain + " (" + pattern + "):\n" + out);
        }
        return Long.parseLong(m.group(1));
    }
}
