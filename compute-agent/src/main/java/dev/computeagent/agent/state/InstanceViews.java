package dev.computeagent.agent.state;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Read access to the instances this agent owns, as the REST API and metrics see them. Thread-safe. */
public interface InstanceViews {

    /** Every owned instance (not the deleted ones). */
    List<InstanceView> all();

    Optional<InstanceView> find(UUID uuid);
}
