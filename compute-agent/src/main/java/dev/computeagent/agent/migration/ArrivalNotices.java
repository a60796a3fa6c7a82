package dev.computeagent.agent.migration;

import java.util.Map;
import java.util.UUID;

/**
 * Sends {@code instance.migration.arrived} to the source that asked for it ({@link ArrivalNotice}): the instance
 * runs here and is this host's, {@code payload} its view as the adopt would answer it. Best-effort: a notice that
 * does not reach the source (its channel closed, the broker away) leaves it to send its adopt, as without one.
 */
public interface ArrivalNotices {

    /** The notice's event name. */
    String EVENT = "instance.migration.arrived";

    /** @return whether the broker took the notice */
    boolean send(ArrivalNotice notice, UUID uuid, Map<String, Object> payload);
}
