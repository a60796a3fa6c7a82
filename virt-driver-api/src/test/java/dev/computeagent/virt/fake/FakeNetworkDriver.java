package dev.computeagent.virt.fake;

import dev.computeagent.virt.network.NetworkConflictException;
import dev.computeagent.virt.network.NetworkDefinition;
import dev.computeagent.virt.network.NetworkDriver;
import dev.computeagent.virt.network.NetworkInUseException;
import dev.computeagent.virt.network.NetworkStatus;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An in-memory {@link NetworkDriver} with the libvirt driver's semantics: ensure is idempotent, a network someone
 * else made ({@link #addForeign}) is never changed or removed, a network in use ({@link #use}) is never removed.
 */
public final class FakeNetworkDriver implements NetworkDriver {

    private final Map<String, NetworkDefinition> own = new ConcurrentHashMap<>();
    private final Set<String> foreign = ConcurrentHashMap.newKeySet();
    private final Map<String, Set<UUID>> users = new ConcurrentHashMap<>();

    /** A driver that sees the foreign, running networks {@code names} (e.g. the hypervisor's {@code default}). */
    public static FakeNetworkDriver withForeign(String... names) {
        FakeNetworkDriver driver = new FakeNetworkDriver();
        for (String name : names) {
            driver.addForeign(name);
        }
        return driver;
    }

    /** A running network this driver did not create. */
    public void addForeign(String name) {
        foreign.add(name);
    }

    /** Instance {@code uuid} has a NIC on {@code network} from now on. */
    public void use(String network, UUID uuid) {
        users.computeIfAbsent(network, n -> ConcurrentHashMap.newKeySet()).add(uuid);
    }

    @Override
    public NetworkStatus ensure(NetworkDefinition definition) {
        if (foreign.contains(definition.name())) {
            throw new NetworkConflictException("network " + definition.name() + " exists and is not the agent's");
        }
        own.putIfAbsent(definition.name(), definition);
        return status(definition.name());
    }

    @Override
    public List<NetworkStatus> list() {
        return own.keySet().stream().sorted(Comparator.naturalOrder()).map(this::status).toList();
    }

    @Override
    public boolean isActive(String name) {
        return own.containsKey(name) || foreign.contains(name);
    }

    @Override
    public void remove(String name) {
        if (foreign.contains(name)) {
            throw new NetworkConflictException("network " + name + " is not the agent's");
        }
        List<UUID> using = List.copyOf(users.getOrDefault(name, Set.of()));
        if (own.containsKey(name) && !using.isEmpty()) {
            throw new NetworkInUseException(name, using);
        }
        own.remove(name);
    }

    private NetworkStatus status(String name) {
        NetworkDefinition definition = own.get(name);
        return new NetworkStatus(definition, true,
                definition.bridge().or(() -> Optional.of("virbr-" + name)).map(b -> b.length() > 15 ? b.substring(0, 15) : b),
                List.copyOf(users.getOrDefault(name, Set.of())));
    }
}
