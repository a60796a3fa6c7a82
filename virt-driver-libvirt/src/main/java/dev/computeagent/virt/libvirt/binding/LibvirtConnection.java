package dev.computeagent.virt.libvirt.binding;

import dev.computeagent.virt.LifecycleEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.libvirt.NetworkFilter;
import org.libvirt.NodeInfo;
import org.libvirt.Secret;
import org.libvirt.event.LifecycleListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open libvirt connection ({@code virConnectPtr}) with keepalive, a close callback and at
 * most one lifecycle-event callback. Thread-safe (libvirt connections are). {@link #close()}
 * unregisters the callbacks and closes the connection.
 */
public final class LibvirtConnection implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LibvirtConnection.class);

    private final Connect connect;
    private final String uri;
    private @Nullable LifecycleListener lifecycleListener;

    private LibvirtConnection(Connect connect, String uri) {
        this.connect = connect;
        this.uri = uri;
    }

    /**
     * Opens {@code uri} read-write, turns on keepalive (a probe every {@code keepaliveInterval},
     * the connection is declared dead after {@code keepaliveCount} unanswered ones) and calls
     * {@code onClosed} (on the event-loop thread: hand off, don't block) when libvirt sees the
     * connection die.
     *
     * @throws dev.computeagent.virt.HypervisorUnavailableException libvirtd cannot be reached
     */
    public static LibvirtConnection open(String uri, Duration keepaliveInterval, int keepaliveCount,
                                         Consumer<String> onClosed) {
        EventLoop.ensureStarted();
        Connect connect;
        try {
            connect = new Connect(uri, false);
        } catch (LibvirtException e) {
            throw LibvirtErrors.translate(LibvirtCall.OPEN, uri, e);
        }
        try {
            enableKeepalive(connect, keepaliveInterval, keepaliveCount);
            connect.registerCloseListener((conn, reason) -> onClosed.accept(String.valueOf(reason)));
        } catch (LibvirtException e) {
            closeQuietly(connect);
            throw LibvirtErrors.translate(LibvirtCall.OPEN, uri, e);
        }
        return new LibvirtConnection(connect, uri);
    }

    private static void enableKeepalive(Connect connect, Duration interval, int count) throws LibvirtException {
        try {
            connect.setKeepAlive((int) Math.max(1, interval.toSeconds()), count);
        } catch (LibvirtException e) {
            // local drivers such as test:/// have no transport that could die, hence no keepalive
            if (!LibvirtErrors.isUnsupported(e)) {
                throw e;
            }
        }
    }

    /** The raw connection, for other classes of this package (e.g. migration calls); never leaves it. */
    Connect raw() {
        return connect;
    }

    public String uri() {
        return uri;
    }

    /** Whether libvirt still considers the connection usable (keepalive included). */
    public boolean isAlive() {
        try {
            return connect.isConnected() && connect.isAlive();
        } catch (LibvirtException e) {
            return false;
        }
    }

    /**
     * Subscribes to lifecycle events of every domain on this connection ({@code
     * virConnectDomainEventRegisterAny}); {@code sink} runs on the event-loop thread.
     */
    public synchronized void onLifecycleEvents(Consumer<DomainLifecycleEvent> sink) {
        if (lifecycleListener != null) {
            throw new IllegalStateException("lifecycle events are already subscribed on " + uri);
        }
        LifecycleListener listener = (domain, event) -> {
            try {
                UUID uuid = UUID.fromString(domain.getUUIDString());
                LifecycleEvent.Type type = EventMapping.type(event);
                sink.accept(new DomainLifecycleEvent(uuid, domain.getName(), type, EventMapping.impliedState(type)));
            } catch (LibvirtException | RuntimeException e) {
                log.warn("cannot handle lifecycle event {} on {}", event, uri, e);
            } finally {
                freeQuietly(domain);
            }
            return 0;
        };
        try {
            connect.addLifecycleListener(listener);
        } catch (LibvirtException e) {
            throw LibvirtErrors.translate(LibvirtCall.EVENTS, uri, e);
        }
        lifecycleListener = listener;
    }

    /** {@code virDomainDefineXML}: defines (or, for a known uuid and name, redefines) a domain. */
    public DomainHandle define(String xml) {
        try {
            return DomainHandle.wrap(connect.domainDefineXML(xml));
        } catch (LibvirtException e) {
            throw LibvirtErrors.translate(LibvirtCall.DEFINE, "domain", e);
        }
    }

    /** The domain with {@code uuid}, or empty when libvirt knows none. */
    public Optional<DomainHandle> lookup(UUID uuid) {
        try {
            return Optional.of(DomainHandle.wrap(connect.domainLookupByUUIDString(uuid.toString())));
        } catch (LibvirtException e) {
            if (LibvirtErrors.isNoDomain(e)) {
                return Optional.empty();
            }
            throw LibvirtErrors.translate(LibvirtCall.LOOKUP, uuid.toString(), e);
        }
    }

    /** Every domain, active or not; the caller closes each handle. */
    public List<DomainHandle> listAll() {
        Domain[] domains;
        try {
            domains = connect.listAllDomains(0);
        } catch (LibvirtException e) {
            throw LibvirtErrors.translate(LibvirtCall.LIST, uri, e);
        }
        List<DomainHandle> handles = new ArrayList<>(domains.length);
        for (Domain domain : domains) {
            try {
                handles.add(DomainHandle.wrap(domain));
            } catch (LibvirtException e) {
                // the domain vanished between listing and reading its identity (wrap freed it)
                log.debug("domain vanished while listing", e);
            }
        }
        return handles;
    }

    /** {@code virNetworkDefineXML}: defines (or, for a known name and uuid, redefines) a persistent network. */
    public NetworkHandle defineNetwork(String xml) {
        try {
            return NetworkHandle.wrap(connect.networkDefineXML(xml));
        } catch (LibvirtException e) {
            throw LibvirtErrors.translate(LibvirtCall.NETWORK, "network", e);
        }
    }

    /** The network named {@code name}, or empty when libvirt knows none. */
    public Optional<NetworkHandle> lookupNetwork(String name) {
        try {
            return Optional.of(NetworkHandle.wrap(connect.networkLookupByName(name)));
        } catch (LibvirtException e) {
            if (LibvirtErrors.isNoNetwork(e)) {
                return Optional.empty();
            }
            throw LibvirtErrors.translate(LibvirtCall.NETWORK, name, e);
        }
    }

    /** The names of every network, running or not. */
    public List<String> networkNames() {
        try {
            List<String> names = new ArrayList<>(List.of(connect.listNetworks()));
            names.addAll(List.of(connect.listDefinedNetworks()));
            return names;
        } catch (LibvirtException e) {
            throw LibvirtErrors.translate(LibvirtCall.LIST, uri, e);
        }
    }

    /** The names of every network filter; none when libvirt has no network filters at all (as {@code test:///}). */
    public List<String> nwfilterNames() {
        try {
            return List.of(connect.listNetworkFilters());
        } catch (LibvirtException e) {
            if (LibvirtErrors.isUnsupported(e)) {
                return List.of();
            }
            throw LibvirtErrors.translate(LibvirtCall.LIST, uri, e);
        }
    }

    /** {@code virNWFilterDefineXML}: defines or, for a known name and uuid, replaces a network filter. */
    public void defineNwfilter(String xml) {
        try {
            connect.networkFilterDefineXML(xml).free();
        } catch (LibvirtException e) {
            throw LibvirtErrors.translate(LibvirtCall.NWFILTER, "nwfilter", e);
        }
    }

    /**
     * {@code virNWFilterUndefine} of the filter {@code name}; false when libvirt knows none, also when its driver
     * has no network filters at all (as {@code test:///}): there is nothing to remove.
     */
    public boolean undefineNwfilter(String name) {
        try {
            NetworkFilter filter = connect.networkFilterLookupByName(name);
            try {
                filter.undefine();
            } finally {
                filter.free();
            }
            return true;
        } catch (LibvirtException e) {
            if (LibvirtErrors.isNoNwfilter(e) || LibvirtErrors.isUnsupported(e)) {
                return false;
            }
            throw LibvirtErrors.translate(LibvirtCall.NWFILTER, name, e);
        }
    }

    /**
     * {@code virSecretDefineXML} and {@code virSecretSetValue}: defines (or redefines, for a known uuid)
     * the secret and sets its value; a secret whose value cannot be set is undefined again. The value
     * never appears in an exception.
     */
    public void defineSecret(String secretXml, byte[] value) {
        Secret secret;
        try {
            secret = connect.secretDefineXML(secretXml);
        } catch (LibvirtException e) {
            throw LibvirtErrors.translate(LibvirtCall.SECRET, "secret", e);
        }
        try {
            secret.setValue(value);
        } catch (LibvirtException e) {
            try {
                secret.undefine();
            } catch (LibvirtException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw LibvirtErrors.translate(LibvirtCall.SECRET, "secret value", e);
        } finally {
            freeQuietly(secret);
        }
    }

    /** {@code virSecretUndefine} of the secret {@code uuid}; one libvirt does not know is success. */
    public void undefineSecret(UUID uuid) {
        Secret secret;
        try {
            secret = connect.secretLookupByUUIDString(uuid.toString());
        } catch (LibvirtException e) {
            if (LibvirtErrors.isNoSecret(e)) {
                return;
            }
            throw LibvirtErrors.translate(LibvirtCall.SECRET, "secret " + uuid, e);
        }
        try {
            secret.undefine();
        } catch (LibvirtException e) {
            if (!LibvirtErrors.isNoSecret(e)) {
                throw LibvirtErrors.translate(LibvirtCall.SECRET, "secret " + uuid, e);
            }
        } finally {
            freeQuietly(secret);
        }
    }

    /**
     * {@code virConnectListSecrets}: the secrets whose usage name starts with {@code usagePrefix}. A secret
     * removed while it is listed is left out.
     */
    public List<UUID> secretsWithUsagePrefix(String usagePrefix) {
        List<UUID> matching = new ArrayList<>();
        secretUsages().forEach((uuid, usage) -> {
            if (usage.startsWith(usagePrefix)) {
                matching.add(uuid);
            }
        });
        return matching;
    }

    /** The usage name of every secret that has one, by the secret's uuid (one gone meanwhile is left out). */
    public Map<UUID, String> secretUsages() {
        String[] uuids;
        try {
            uuids = connect.listSecrets();
        } catch (LibvirtException e) {
            throw LibvirtErrors.translate(LibvirtCall.SECRET, "secrets", e);
        }
        Map<UUID, String> usages = new LinkedHashMap<>();
        for (String uuid : uuids) {
            Secret secret;
            try {
                secret = connect.secretLookupByUUIDString(uuid);
            } catch (LibvirtException e) {
                if (LibvirtErrors.isNoSecret(e)) {
                    continue;
                }
                throw LibvirtErrors.translate(LibvirtCall.SECRET, "secret " + uuid, e);
            }
            try {
                String usage = secret.getUsageID();
                if (usage != null) {
                    usages.put(UUID.fromString(uuid), usage);
                }
            } catch (LibvirtException e) {
                if (!LibvirtErrors.isNoSecret(e)) {
                    throw LibvirtErrors.translate(LibvirtCall.SECRET, "secret " + uuid, e);
                }
            } finally {
                freeQuietly(secret);
            }
        }
        return usages;
    }

    /** Whether libvirt has a secret {@code uuid}. */
    public boolean hasSecret(UUID uuid) {
        try {
            freeQuietly(connect.secretLookupByUUIDString(uuid.toString()));
            return true;
        } catch (LibvirtException e) {
            if (LibvirtErrors.isNoSecret(e)) {
                return false;
            }
            throw LibvirtErrors.translate(LibvirtCall.SECRET, "secret " + uuid, e);
        }
    }

    /** {@code virConnectGetCapabilities}: the host's capabilities document. */
    public String capabilitiesXml() {
        try {
            return connect.getCapabilities();
        } catch (LibvirtException e) {
            throw LibvirtErrors.translate(LibvirtCall.NODE, uri, e);
        }
    }

    /** {@code virNodeGetInfo}, {@code virConnectGetHostname}, {@code getType}, {@code getVersion}. */
    public NodeFacts node() {
        try {
            NodeInfo info = connect.nodeInfo();
            long version = connect.getVersion();
            String hypervisorVersion = (version / 1_000_000) + "." + (version / 1_000 % 1_000) + "." + (version % 1_000);
            return new NodeFacts(connect.getHostName(), info.cpus, info.memory, connect.getType(), hypervisorVersion);
        } catch (LibvirtException e) {
            throw LibvirtErrors.translate(LibvirtCall.NODE, uri, e);
        }
    }

    @Override
    public synchronized void close() {
        if (lifecycleListener != null && isAlive()) {
            try {
                connect.removeLifecycleListener(lifecycleListener);
            } catch (LibvirtException e) {
                log.debug("cannot unregister lifecycle events on {}", uri, e);
            }
        }
        lifecycleListener = null;
        try {
            if (connect.isConnected()) {
                connect.unregisterCloseListener();
            }
        } catch (LibvirtException e) {
            log.debug("cannot unregister the close callback on {}", uri, e);
        }
        closeQuietly(connect);
    }

    private static void closeQuietly(Connect connect) {
        try {
            connect.close();
        } catch (LibvirtException e) {
            log.debug("closing a libvirt connection failed", e);
        }
    }

    private static void freeQuietly(Secret secret) {
        try {
            secret.free();
        } catch (LibvirtException e) {
            log.debug("freeing a secret reference failed", e);
        }
    }

    private static void freeQuietly(Domain domain) {
        try {
            domain.free();
        } catch (LibvirtException e) {
            log.debug("freeing a domain reference failed", e);
        }
    }
}
