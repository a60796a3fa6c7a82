package dev.computeagent.agent.web.support;

import dev.computeagent.agent.state.InstanceView;
import dev.computeagent.agent.state.InstanceViews;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** An {@link InstanceViews} holding what a test puts in it. */
public final class StubInstanceViews implements InstanceViews {

    private volatile List<InstanceView> instances = List.of();
    private volatile RuntimeException failure;

    public void setInstances(List<InstanceView> instances) {
        this.instances = List.copyOf(instances);
    }

    /** Makes every read throw {@code failure} (null: read normally again). */
    public void fail(RuntimeException failure) {
        this.failure = failure;
    }

    @Override
    public List<InstanceView> all() {
        check();
        return instances;
    }

    @Override
    public Optional<InstanceView> find(UUID uuid) {
        check();
        return instances.stream().filter(v -> v.uuid().equals(uuid.toString())).findFirst();
    }

    private void check() {
        RuntimeException current = failure;
        if (current != null) {
            throw current;
        }
    }
}
