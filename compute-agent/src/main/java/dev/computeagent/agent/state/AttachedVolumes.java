package dev.computeagent.agent.state;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The volumes attached through the agent, kept in the instance's annotations (so they are known after
 * an agent restart and travel with the definition): one annotation {@code volume:<volume id>} per
 * volume, its value {@code <device> <driver_volume_type> shared|local}. Never a credential: those live
 * in the hypervisor's secret store only.
 */
public final class AttachedVolumes {

    static final String PREFIX = "volume:";

    private AttachedVolumes() {
    }

    /** One recorded attachment. */
    public record Entry(String volumeId, String device, String type, boolean shared) {
    }

    /** Every recorded attachment, by volume id. */
    public static Map<String, Entry> of(Map<String, String> annotations) {
        Map<String, Entry> result = new TreeMap<>();
        annotations.forEach((key, value) -> {
            if (key.startsWith(PREFIX)) {
                String[] parts = value.split(" ");
                if (parts.length == 3) {
                    String id = key.substring(PREFIX.length());
                    result.put(id, new Entry(id, parts[0], parts[1], parts[2].equals("shared")));
                }
            }
        });
        return result;
    }

    public static Optional<Entry> find(Map<String, String> annotations, String volumeId) {
        return Optional.ofNullable(of(annotations).get(volumeId));
    }

    /** {@code annotations} with {@code entry} recorded. */
    public static Map<String, String> with(Map<String, String> annotations, Entry entry) {
        Map<String, String> next = new HashMap<>(annotations);
        next.put(PREFIX + entry.volumeId(), entry.device() + " " + entry.type() + " "
                + (entry.shared() ? "shared" : "local"));
        return next;
    }

    /** {@code annotations} without the volume. */
    public static Map<String, String> without(Map<String, String> annotations, String volumeId) {
        Map<String, String> next = new HashMap<>(annotations);
        next.remove(PREFIX + volumeId);
        return next;
    }
}
