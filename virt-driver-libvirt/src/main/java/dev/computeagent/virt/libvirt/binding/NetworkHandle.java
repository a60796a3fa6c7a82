package dev.computeagent.virt.libvirt.binding;

import java.util.UUID;
import org.libvirt.LibvirtException;
import org.libvirt.Network;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One libvirt network reference ({@code virNetworkPtr}); {@link #close()} releases it. Every failure arrives
 * translated by {@link LibvirtErrors}.
 */
public final class NetworkHandle implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NetworkHandle.class);

    private final Network network;
    private final String name;
    private final UUID uuid;

    private NetworkHandle(Network network, String name, UUID uuid) {
        this.network = network;
        this.name = name;
        this.uuid = uuid;
    }

    /** Takes ownership of {@code network}: it is freed here when its identity cannot be read. */
    static NetworkHandle wrap(Network network) throws LibvirtException {
        try {
            return new NetworkHandle(network, network.getName(), UUID.fromString(network.getUUIDString()));
        } catch (LibvirtException | RuntimeException e) {
            try {
                network.free();
            } catch (LibvirtException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    public String name() {
        return name;
    }

    public UUID uuid() {
        return uuid;
    }

    public boolean isActive() {
        try {
            return network.isActive() == 1;
        } catch (LibvirtException e) {
            throw LibvirtErrors.translate(LibvirtCall.NETWORK, name, e);
        }
    }

    /** {@code virNetworkCreate}: starts the defined network. */
    public void start() {
        try {
            network.create();
        } catch (LibvirtException e) {
            throw LibvirtErrors.translate(LibvirtCall.NETWORK, name, e);
        }
    }

    /** {@code virNetworkSetAutostart}. */
    public void setAutostart(boolean autostart) {
        try {
            network.setAutostart(autostart);
        } catch (LibvirtException e) {
            throw LibvirtErrors.translate(LibvirtCall.NETWORK, name, e);
        }
    }

    /** {@code virNetworkDestroy} when it runs, then {@code virNetworkUndefine}. */
    public void stopAndUndefine() {
        try {
            if (network.isActive() == 1) {
                network.destroy();
            }
            network.undefine();
        } catch (LibvirtException e) {
            throw LibvirtErrors.translate(LibvirtCall.NETWORK, name, e);
        }
    }

    /** The network's XML as libvirt has it now ({@code virNetworkGetXMLDesc}). */
    public String xml() {
        try {
            return network.getXMLDesc(0);
        } catch (LibvirtException e) {
            throw LibvirtErrors.translate(LibvirtCall.NETWORK, name, e);
        }
    }

    @Override
    public void close() {
        try {
            network.free();
        } catch (LibvirtException e) {
            log.debug("freeing network {} failed", name, e);
        }
    }
}
