package dev.computeagent.agent.execution;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.handler.Outcome;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.agent.message.MigrateArgs;
import dev.computeagent.agent.message.ResizeArgs;
import dev.computeagent.agent.state.InstanceStore;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The payloads of the events the executor publishes besides a handler's outcome: {@code .start}, an
 * {@code .error}, and the bare one when something failed outside the handler. Each is the instance as
 * the agent knows it (a spawn not begun yet is {@code BUILDING}, a failed one {@code ERROR}); every
 * migrate event, and every event of a resize to another host, names its destination.
 */
final class CommandPayloads {

    private final InstanceStore store;

    CommandPayloads(InstanceStore store) {
        this.store = store;
    }

    /** For {@code .start} (and a refusal of a reused request id): the instance as it is now. */
    Map<String, Object> current(Command<?> command) {
        if (command.name() == CommandName.SPAWN && store.view(command.instanceUuid()).isEmpty()) {
            return Map.of("state", InstanceState.BUILDING.name(), "power_state", "NOSTATE");
        }
        return withDestination(command, store.view(command.instanceUuid()).map(Outcome::payloadOf).orElse(Map.of()));
    }

    /** For {@code .error}: the instance as the failure left it. */
    Map<String, Object> afterError(Command<?> command) {
        return withDestination(command, store.view(command.instanceUuid()).map(Outcome::payloadOf)
                .orElseGet(() -> command.name() == CommandName.SPAWN
                        ? Map.of("state", InstanceState.ERROR.name(), "power_state", "NOSTATE")
                        : Map.of()));
    }

    /** Only the instance's state and power state: nothing a failure to encode could come from. */
    Map<String, Object> safe(Command<?> command) {
        Map<String, Object> payload = new LinkedHashMap<>();
        store.view(command.instanceUuid()).ifPresent(view -> {
            payload.put("state", view.state().name());
            payload.put("power_state", view.powerState());
        });
        return withDestination(command, payload);
    }

    /** Every migrate event, and every event of a resize to another host, names the destination. */
    private static Map<String, Object> withDestination(Command<?> command, Map<String, Object> payload) {
        String destination = command.args() instanceof MigrateArgs migrate ? migrate.destination()
                : command.args() instanceof ResizeArgs resize ? resize.destination() : null;
        if (destination == null) {
            return payload;
        }
        Map<String, Object> p = new LinkedHashMap<>(payload);
        p.put("destination", destination);
        return p;
    }
}
