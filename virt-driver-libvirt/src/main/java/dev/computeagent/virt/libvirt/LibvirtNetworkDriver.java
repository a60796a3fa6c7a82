package dev.computeagent.virt.libvirt;

import dev.computeagent.virt.InstanceNotFoundException;
import dev.computeagent.virt.libvirt.binding.DomainHandle;
import dev.computeagent.virt.libvirt.binding.LibvirtConnection;
import dev.computeagent.virt.libvirt.binding.NetworkHandle;
import dev.computeagent.virt.libvirt.domain.DomainXml;
import dev.computeagent.virt.libvirt.domain.DomainXmlException;
import dev.computeagent.virt.libvirt.domain.InterfaceType;
import dev.computeagent.virt.libvirt.domain.LibvirtNetwork;
import dev.computeagent.virt.libvirt.domain.LibvirtNetwork.ForwardMode;
import dev.computeagent.virt.libvirt.domain.NetInterface;
import dev.computeagent.virt.libvirt.domain.NetworkXml;
import dev.computeagent.virt.network.NetworkConflictException;
import dev.computeagent.virt.network.NetworkDefinition;
import dev.computeagent.virt.network.NetworkDriver;
import dev.computeagent.virt.network.NetworkInUseException;
import dev.computeagent.virt.network.NetworkMode;
import dev.computeagent.virt.network.NetworkStatus;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's networks as libvirt networks, on the compute driver's connection. A network is this driver's when
 * its uuid is the one derived from its name ({@link #uuidOf}): libvirt 9.0 networks carry no metadata, and a
 * name-derived uuid survives restarts of both the agent and libvirtd without a record of its own. A bridge
 * network is {@code <forward mode='bridge'/>} over a bridge the caller made, so every NIC names its network
 * the same way whatever the network's mode.
 */
public final class LibvirtNetworkDriver implements NetworkDriver {

    private static final Logger log = LoggerFactory.getLogger(LibvirtNetworkDriver.class);

    private final ConnectionManager connections;

    public LibvirtNetworkDriver(ConnectionManager connections) {
        this.connections = connections;
    }

    /** The uuid this driver gives the network named {@code name}. */
    public static UUID uuidOf(String name) {
        return UUID.nameUUIDFromBytes(("compute-agent:network:" + name).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public NetworkStatus ensure(NetworkDefinition definition) {
        LibvirtNetwork wanted = model(definition);
        return connections.call(connection -> {
            Optional<NetworkHandle> existing = connection.lookupNetwork(definition.name());
            if (existing.isEmpty()) {
                return create(connection, wanted, definition);
            }
            try (NetworkHandle network = existing.get()) {
                requireOwn(network);
                LibvirtNetwork current = NetworkXml.parse(network.xml());
                if (!sameDefinition(current, wanted)) {
                    List<UUID> users = usersOf(connection, definition.name());
                    if (users.isEmpty()) {
                        log.info("network {} is defined differently from the configuration: recreating it",
                                definition.name());
                        network.stopAndUndefine();
                        return create(connection, wanted, definition);
                    }
                    log.warn("network {} is defined differently from the configuration but {} instance(s) use it: "
                            + "kept as it is until they are gone", definition.name(), users.size());
                }
                if (!network.isActive()) {
                    network.start();
                }
                network.setAutostart(true);
                return status(connection, network);
            }
        });
    }

    @Override
    public List<NetworkStatus> list() {
        return connections.call(connection -> {
            List<NetworkStatus> result = new ArrayList<>();
            for (String name : connection.networkNames()) {
                Optional<NetworkHandle> found = connection.lookupNetwork(name);
                if (found.isEmpty()) {
                    continue; // removed between listing and lookup
                }
                try (NetworkHandle network = found.get()) {
                    if (network.uuid().equals(uuidOf(name))) {
                        result.add(status(connection, network));
                    }
                }
            }
            result.sort(Comparator.comparing(s -> s.definition().name()));
            return result;
        });
    }

    @Override
    public boolean isActive(String name) {
        return connections.call(connection -> connection.lookupNetwork(name).map(network -> {
            try (network) {
                return network.isActive();
            }
        }).orElse(false));
    }

    @Override
    public void remove(String name) {
        connections.call(connection -> {
            Optional<NetworkHandle> found = connection.lookupNetwork(name);
            if (found.isEmpty()) {
                return null;
            }
            try (NetworkHandle network = found.get()) {
                requireOwn(network);
                List<UUID> users = usersOf(connection, name);
                if (!users.isEmpty()) {
                    throw new NetworkInUseException(name, users);
                }
                network.stopAndUndefine();
            }
            return null;
        });
    }

    private static NetworkStatus create(LibvirtConnection connection, LibvirtNetwork wanted,
                                        NetworkDefinition definition) {
        try (NetworkHandle network = connection.defineNetwork(NetworkXml.render(wanted))) {
            try {
                network.start();
                network.setAutostart(true);
            } catch (RuntimeException e) {
                try {
                    network.stopAndUndefine();
                } catch (RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
                throw e;
            }
            log.info("network {} ({}) created", definition.name(), definition.mode());
            return status(connection, network);
        }
    }

    private static void requireOwn(NetworkHandle network) {
        if (!network.uuid().equals(uuidOf(network.name()))) {
            throw new NetworkConflictException("network " + network.name() + " exists and was not created by the "
                    + "agent (uuid " + network.uuid() + "): left as it is");
        }
    }

    private static NetworkStatus status(LibvirtConnection connection, NetworkHandle network) {
        LibvirtNetwork model = NetworkXml.parse(network.xml());
        return new NetworkStatus(definition(model), network.isActive(), model.bridge(),
                usersOf(connection, network.name()));
    }

    static LibvirtNetwork model(NetworkDefinition definition) {
        UUID uuid = uuidOf(definition.name());
        return switch (definition.mode()) {
            case NAT -> new LibvirtNetwork(definition.name(), uuid, Optional.of(ForwardMode.NAT), Optional.empty(),
                    definition.subnet());
            case ISOLATED -> new LibvirtNetwork(definition.name(), uuid, Optional.empty(), Optional.empty(),
                    definition.subnet());
            case BRIDGE -> new LibvirtNetwork(definition.name(), uuid, Optional.of(ForwardMode.BRIDGE),
                    definition.bridge(), Optional.empty());
        };
    }

    static NetworkDefinition definition(LibvirtNetwork model) {
        if (model.forward().isEmpty()) {
            return new NetworkDefinition(model.name(), NetworkMode.ISOLATED, model.ip(), Optional.empty());
        }
        return switch (model.forward().get()) {
            case NAT -> new NetworkDefinition(model.name(), NetworkMode.NAT, model.ip(), Optional.empty());
            case BRIDGE -> new NetworkDefinition(model.name(), NetworkMode.BRIDGE, Optional.empty(), model.bridge());
        };
    }

    /** libvirt names the bridge of a NAT or isolated network itself: that is no difference. */
    private static boolean sameDefinition(LibvirtNetwork current, LibvirtNetwork wanted) {
        return current.forward().equals(wanted.forward()) && current.ip().equals(wanted.ip())
                && (wanted.bridge().isEmpty() || current.bridge().equals(wanted.bridge()));
    }

    /** Every domain (anyone's, running or not) with a NIC on the network {@code name}. */
    private static List<UUID> usersOf(LibvirtConnection connection, String name) {
        List<UUID> users = new ArrayList<>();
        for (DomainHandle domain : connection.listAll()) {
            try (domain) {
                if (usesNetwork(domain, name)) {
                    users.add(domain.uuid());
                }
            } catch (InstanceNotFoundException e) {
                // a domain that vanished while it was read uses nothing any more
                log.debug("domain vanished while its NICs were read", e);
            }
        }
        return users;
    }

    private static boolean usesNetwork(DomainHandle domain, String name) {
        String xml = domain.xml();
        try {
            for (NetInterface nic : DomainXml.parse(xml).devices().interfaces()) {
                if (nic.type() == InterfaceType.NETWORK && nic.source().equals(Optional.of(name))) {
                    return true;
                }
            }
            return false;
        } catch (DomainXmlException e) {
            // a domain the model cannot read (not the agent's): counted as a user whenever it names the network
            return xml.contains("network='" + name + "'") || xml.contains("network=\"" + name + "\"");
        }
    }
}
