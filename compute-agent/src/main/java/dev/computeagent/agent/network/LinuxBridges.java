package dev.computeagent.agent.network;

import dev.computeagent.hostio.ProcessResult;
import dev.computeagent.hostio.ProcessRunner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Linux bridges and VLAN sub-interfaces through {@code ip} (iproute2). libvirt's interface API would do the same
 * through netcf, which Debian's libvirt no longer builds (its udev interface backend is read-only), so the agent
 * runs {@code ip} itself, as Nova's {@code linux_net} did. Only creates and joins: an interface that exists is
 * used as it is, and nothing is ever deleted (a bridge may carry more than the agent's guests).
 */
public final class LinuxBridges {

    private static final Logger log = LoggerFactory.getLogger(LinuxBridges.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final ProcessRunner processes;

    public LinuxBridges(ProcessRunner processes) {
        this.processes = processes;
    }

    /**
     * Makes {@code bridge} exist and be up, and, with a {@code vlan}, its sub-interface exist, be up and be a
     * port of the bridge.
     *
     * @throws IllegalStateException {@code bridge} exists but is no bridge, the VLAN's parent does not exist, the
     *                               kernel cannot make VLAN interfaces (no 8021q), or {@code ip} failed (its stderr
     *                               in the message)
     */
    public void ensure(String bridge, Optional<VlanLink> vlan) {
        Optional<String> details = details(bridge);
        if (details.isEmpty()) {
            ip("link", "add", "name", bridge, "type", "bridge");
            log.info("bridge {} created", bridge);
        } else if (!details.get().contains(" bridge ")) {
            throw new IllegalStateException("interface " + bridge + " exists and is not a bridge");
        }
        ip("link", "set", "dev", bridge, "up");
        if (vlan.isEmpty()) {
            return;
        }
        VlanLink link = vlan.get();
        if (details(link.parent()).isEmpty()) {
            throw new IllegalStateException("VLAN parent interface " + link.parent() + " does not exist");
        }
        if (details(link.interfaceName()).isEmpty()) {
            addVlan(link);
            log.info("VLAN interface {} created", link.interfaceName());
        }
        ip("link", "set", "dev", link.interfaceName(), "master", bridge);
        ip("link", "set", "dev", link.interfaceName(), "up");
    }

    private void addVlan(VlanLink link) {
        try {
            ip("link", "add", "link", link.parent(), "name", link.interfaceName(), "type", "vlan", "id",
                    Integer.toString(link.id()));
        } catch (IllegalStateException e) {
            // iproute2's only words for a kernel built without 8021q (or without the module loaded)
            if (e.getMessage().contains("Unknown device type")) {
                throw new IllegalStateException("this host's kernel cannot make VLAN interfaces (no 8021q support): "
                        + e.getMessage(), e);
            }
            throw e;
        }
    }

    /** {@code ip -d -o link show dev <name>}; empty when there is no such interface. */
    private Optional<String> details(String name) {
        ProcessResult result = processes.run(List.of("ip", "-d", "-o", "link", "show", "dev", name), TIMEOUT);
        return result.exitCode() == 0 ? Optional.of(result.stdout()) : Optional.empty();
    }

    private void ip(String... args) {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        ProcessResult result = processes.run(command, TIMEOUT);
        if (result.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (" + result.exitCode() + "): "
                    + result.stderr().strip());
        }
    }
}
