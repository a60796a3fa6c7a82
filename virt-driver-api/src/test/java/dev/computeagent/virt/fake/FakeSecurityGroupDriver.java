package dev.computeagent.virt.fake;

import dev.computeagent.virt.network.SecurityGroupDriver;
import dev.computeagent.virt.network.SecurityRule;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** An in-memory {@link SecurityGroupDriver}: the rules applied per instance, for tests to read back. */
public final class FakeSecurityGroupDriver implements SecurityGroupDriver {

    private final Map<UUID, List<SecurityRule>> filters = new ConcurrentHashMap<>();

    @Override
    public void apply(UUID instance, List<SecurityRule> rules) {
        filters.put(instance, List.copyOf(rules));
    }

    @Override
    public void remove(UUID instance) {
        filters.remove(instance);
    }

    @Override
    public Set<UUID> filteredInstances() {
        return Set.copyOf(filters.keySet());
    }

    /** The rules of the instance's filter; empty when it has none. */
    public Optional<List<SecurityRule>> rules(UUID instance) {
        return Optional.ofNullable(filters.get(instance));
    }
}
