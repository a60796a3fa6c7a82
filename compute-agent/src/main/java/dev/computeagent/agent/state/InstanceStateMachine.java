package dev.computeagent.agent.state;

import static dev.computeagent.agent.message.InstanceState.ACTIVE;
import static dev.computeagent.agent.message.InstanceState.PAUSED;
import static dev.computeagent.agent.message.InstanceState.MIGRATING;
import static dev.computeagent.agent.message.InstanceState.RESCUED;
import static dev.computeagent.agent.message.InstanceState.RESIZED;
import static dev.computeagent.agent.message.InstanceState.STOPPED;
import static dev.computeagent.agent.message.InstanceState.SUSPENDED;

import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.virt.PowerState;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The one table of which controller command is allowed in which {@link InstanceState} of an existing
 * instance (docs/lifecycle.md shows it; {@code LifecycleDocTableTest} keeps the two equal). A command in
 * any other state is refused {@code INVALID_STATE} before its handler runs, and nothing changes. Allowed
 * does not mean there is work to do: {@code stop} of a stopped instance is allowed and succeeds at once,
 * which keeps a redelivered command idempotent. An instance that does not exist is not in the table: each
 * command's own rule answers (spawn creates it, delete succeeds, the others are {@code INSTANCE_NOT_FOUND}).
 * Internal ({@code migration.*}) commands are not in it either: they concern an instance on its way
 * between agents, and their handlers check what they need themselves.
 */
public final class InstanceStateMachine {

    private static final Map<CommandName, Set<InstanceState>> ALLOWED = new EnumMap<>(CommandName.class);

    static {
        // one row per controller command: the states it may run in
        allowEverywhere(CommandName.SPAWN); // an existing instance: the same spec is finished, another is INSTANCE_EXISTS
        allow(CommandName.START, ACTIVE, STOPPED);
        allow(CommandName.STOP, ACTIVE, STOPPED, PAUSED);
        allow(CommandName.REBOOT, ACTIVE, STOPPED);
        allowEverywhere(CommandName.DELETE);
        allow(CommandName.MIGRATE, ACTIVE, STOPPED);
        allow(CommandName.PAUSE, ACTIVE, PAUSED);
        allow(CommandName.UNPAUSE, PAUSED, ACTIVE);
        allow(CommandName.SUSPEND, ACTIVE, SUSPENDED);
        allow(CommandName.RESUME, SUSPENDED, ACTIVE);
        // a running migrate leaves the idle state only once prepared: a cancel may come before
        allow(CommandName.MIGRATE_ABORT, ACTIVE, STOPPED, MIGRATING);
        // resize and rescue: the states they leave count too, so that a command re-sent after it finished
        // (a redelivery after a crash) reaches its handler, which answers it or refuses INVALID_STATE itself
        allow(CommandName.RESIZE, ACTIVE, STOPPED, RESIZED);
        allow(CommandName.CONFIRM_RESIZE, RESIZED, ACTIVE, STOPPED);
        allow(CommandName.REVERT_RESIZE, RESIZED, ACTIVE, STOPPED);
        allow(CommandName.RESCUE, ACTIVE, STOPPED, RESCUED);
        allow(CommandName.UNRESCUE, RESCUED, ACTIVE, STOPPED);
        // a snapshot copies the root disk of a running guest or one at rest; the instance is not changed
        allow(CommandName.SNAPSHOT, ACTIVE, STOPPED);
        // hot plug on a running guest, the definition only on a stopped one
        allow(CommandName.ATTACH_VOLUME, ACTIVE, STOPPED);
        allow(CommandName.DETACH_VOLUME, ACTIVE, STOPPED);
        allow(CommandName.ATTACH_INTERFACE, ACTIVE, STOPPED);
        allow(CommandName.DETACH_INTERFACE, ACTIVE, STOPPED);
        // a filter change needs no particular power state: the rules apply whenever the NICs carry traffic
        allow(CommandName.SET_SECURITY_GROUPS, ACTIVE, STOPPED, PAUSED, SUSPENDED, RESIZED, RESCUED);
        // rebuild: a new root disk for an idle instance, which comes back in its power state (as Nova's)
        allow(CommandName.REBUILD, ACTIVE, STOPPED);
    }

    private InstanceStateMachine() {
    }

    /**
     * Whether {@code command} may run on an existing instance in {@code state}.
     *
     * @throws IllegalArgumentException {@code command} is internal or has no row (a new controller
     *                                  command must get one: refusing it would hide the omission)
     */
    public static boolean allows(CommandName command, InstanceState state) {
        return allowedStates(command).contains(state);
    }

    /** Whether {@code command} is allowed in every state, so that no state needs to be read for it. */
    public static boolean allowsEvery(CommandName command) {
        return allowedStates(command).containsAll(EnumSet.allOf(InstanceState.class));
    }

    /**
     * The states {@code command} is allowed in.
     *
     * @throws IllegalArgumentException {@code command} is internal or has no row
     */
    public static Set<InstanceState> allowedStates(CommandName command) {
        Set<InstanceState> states = ALLOWED.get(command);
        if (states == null) {
            throw new IllegalArgumentException("the state machine has no row for " + command.wireName());
        }
        return states;
    }

    /** Whether the table has a row for {@code command}: every controller command, no internal one. */
    public static boolean governs(CommandName command) {
        return ALLOWED.containsKey(command);
    }

    /**
     * The state an instance recorded in {@code recorded} is in now, given its power state. An idle state
     * ({@code ACTIVE}, {@code STOPPED}, {@code PAUSED}) follows the power state, so a guest that shut
     * itself down or was paused with virsh is {@code STOPPED} or {@code PAUSED} even before the power-state
     * sync recorded it; a {@code SUSPENDED} instance whose guest runs again (started behind the agent's
     * back, which consumed the saved memory) is too. Every other state is the agent's own work in
     * progress or its verdict, and stays.
     */
    public static InstanceState current(InstanceState recorded, PowerState power) {
        boolean idle = switch (recorded) {
            case ACTIVE, STOPPED, PAUSED -> true;
            case SUSPENDED -> power == PowerState.RUNNING
                    || power == PowerState.PAUSED;
            case BUILDING, MIGRATING, ERROR, DELETED, RESIZED, RESCUED -> false;
        };
        return idle ? Annotations.fromPower(power) : recorded;
    }

    private static void allow(CommandName command, InstanceState first, InstanceState... rest) {
        ALLOWED.put(command, Collections.unmodifiableSet(EnumSet.of(first, rest)));
    }

    private static void allowEverywhere(CommandName command) {
        ALLOWED.put(command, Collections.unmodifiableSet(EnumSet.allOf(InstanceState.class)));
    }
}
