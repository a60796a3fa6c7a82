package dev.computeagent.agent.state;

import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.virt.InstanceInfo;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The agent's in-memory view of its instances, kept current by the command handlers, recovery
 * and the power-state sync; libvirt stays the source of truth (docs/architecture.md, "Where state lives") and this view is
 * rebuilt from it at start-up. Thread-safe.
 */
public final class InstanceRegistry implements InstanceViews {

    private final String host;
    private final Map<UUID, InstanceView> views = new ConcurrentHashMap<>();

    public InstanceRegistry(String host) {
        this.host = host;
    }

    @Override
    public List<InstanceView> all() {
        return views.values().stream().sorted(Comparator.comparing(InstanceView::uuid)).toList();
    }

    @Override
    public Optional<InstanceView> find(UUID uuid) {
        return Optional.ofNullable(views.get(uuid));
    }

    /** Records the instance as the hypervisor reports it, with the state the agent decided. */
    public InstanceView update(InstanceInfo info, InstanceState state, @Nullable String lastError) {
        InstanceView view = viewOf(info, state, lastError);
        views.put(info.uuid(), view);
        return view;
    }

    /** Records the instance from its info and annotations alone. */
    public InstanceView update(InstanceInfo info) {
        return update(info, Annotations.state(info.metadata(), info.powerState()),
                info.metadata().annotations().get(Annotations.LAST_ERROR));
    }

    public void remove(UUID uuid) {
        views.remove(uuid);
    }

    /** Forgets every instance not in {@code present}. */
    public void retainOnly(Set<UUID> present) {
        views.keySet().retainAll(present);
    }

    public InstanceView viewOf(InstanceInfo info, InstanceState state, @Nullable String lastError) {
        Instant created = Annotations.createdAt(info.metadata()).orElse(null);
        return new InstanceView(info.uuid().toString(), info.metadata().name(), state, info.powerState().name(),
                info.metadata().flavor(), info.metadata().imageId(),
                host, created, lastError);
    }
}
