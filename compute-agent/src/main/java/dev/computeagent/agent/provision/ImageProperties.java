package dev.computeagent.agent.provision;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** What the agent reads from an image's properties (Glance image metadata), as Nova reads them. */
public final class ImageProperties {

    /** The property that says the image runs the QEMU guest agent. */
    static final String GUEST_AGENT = "hw_qemu_guest_agent";
    /** The true spellings of oslo's {@code bool_from_string}, which Nova applies to it. */
    private static final Set<String> TRUE = Set.of("yes", "true", "1", "on", "y", "t");

    private ImageProperties() {
    }

    /** Whether the image declares a QEMU guest agent ({@code hw_qemu_guest_agent=yes}). */
    public static boolean guestAgent(Map<String, String> properties) {
        String value = properties.get(GUEST_AGENT);
        return value != null && TRUE.contains(value.strip().toLowerCase(Locale.ROOT));
    }
}
