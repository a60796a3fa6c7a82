package dev.computeagent.agent.handler;

import dev.computeagent.virt.NicSpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * MAC addresses for the NICs a spawn gives none: OpenStack's locally administered prefix
 * {@code fa:16:3e} (Nova's) and three bytes of a SHA-256 of the instance's uuid and the NIC's index.
 * Chosen by the agent, not by libvirt, because the config drive that tells the guest which NIC is which
 * is built before the domain exists; derived, not random, so a redelivered spawn chooses the same ones
 * and the domain XML records them for good. A NIC's own MAC is kept; a derived one never repeats
 * another of the same instance. Across instances two derived MACs collide with a chance of 1 in 2^24
 * per pair: a controller that must rule that out on a shared network gives the MACs itself.
 */
final class MacAddresses {

    private static final String PREFIX = "fa:16:3e";

    private MacAddresses() {
    }

    /** {@code nics} in order, each with a MAC. */
    static List<NicSpec> assign(UUID uuid, List<NicSpec> nics) {
        Set<String> taken = new HashSet<>();
        nics.forEach(nic -> nic.mac().ifPresent(taken::add));
        List<NicSpec> result = new ArrayList<>(nics.size());
        for (int i = 0; i < nics.size(); i++) {
            NicSpec nic = nics.get(i);
            if (nic.mac().isPresent()) {
                result.add(nic);
                continue;
            }
            String mac;
            int attempt = 0;
            do {
                mac = derive(uuid, i, attempt++);
            } while (!taken.add(mac));
            result.add(new NicSpec(nic.type(), nic.source(), Optional.of(mac), nic.model()));
        }
        return result;
    }

    /**
     * A MAC for a NIC hot plugged by request {@code requestId}: the same for its redelivery, which then
     * finds the NIC plugged already (the device driver's idempotence). A collision with another NIC of
     * the instance (1 in 2^24) is refused by the driver, never silently shared.
     */
    static String forHotPlug(UUID uuid, String requestId) {
        byte[] hash = SpecFingerprint.sha256().digest((uuid + "/hotplug/" + requestId)
                .getBytes(StandardCharsets.UTF_8));
        return PREFIX + ":" + HexFormat.ofDelimiter(":").formatHex(hash, 0, 3);
    }

    private static String derive(UUID uuid, int index, int attempt) {
        byte[] hash = SpecFingerprint.sha256().digest((uuid + "/nic/" + index + "/" + attempt)
                .getBytes(StandardCharsets.UTF_8));
        String tail = HexFormat.ofDelimiter(":").formatHex(hash, 0, 3);
        return PREFIX + ":" + tail;
    }
}
