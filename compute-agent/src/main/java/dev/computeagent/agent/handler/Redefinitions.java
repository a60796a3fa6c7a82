package dev.computeagent.agent.handler;

import dev.computeagent.agent.failure.CommandFailedException;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.agent.state.AttachedVolumes;
import dev.computeagent.virt.InstanceInfo;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the commands that render an instance's definition again (resize, rescue) or move it to another host
 * (migrate) cannot carry over yet.
 */
public final class Redefinitions {

    private Redefinitions() {
    }

    /**
     * The definition is rendered from the agent's own disks ({@code ComputeDriver.redefine}): a volume attached
     * through {@code attach_volume} would be dropped, so an instance with one is refused.
     *
     * @throws CommandFailedException {@code INVALID_STATE} naming the volumes; nothing changed
     */
    public static void requireNoVolumes(InstanceInfo info, String what) {
        Set<String> volumes = AttachedVolumes.of(info.metadata().annotations()).keySet();
        if (!volumes.isEmpty()) {
            throw new CommandFailedException(ErrorCode.INVALID_STATE, "instance " + info.uuid() + " has volumes "
                    + volumes + " attached; detach them before it is " + what, false);
        }
    }

    /**
     * A migration leaves volumes where they are (both hosts reach a shared one; it is never copied): a volume
     * recorded as {@code local} (reachable from this host only) would be lost, so an instance with one is refused.
     * Volumes with credentials are refused by the migration driver (their secret is private to this host).
     *
     * @throws CommandFailedException {@code INVALID_STATE} naming the local volumes; nothing changed
     */
    public static void requireSharedVolumes(InstanceInfo info, String what) {
        Set<String> local = new TreeSet<>();
        AttachedVolumes.of(info.metadata().annotations()).values().stream().filter(v -> !v.shared())
                .forEach(v -> local.add(v.volumeId()));
        if (!local.isEmpty()) {
            throw new CommandFailedException(ErrorCode.INVALID_STATE, "instance " + info.uuid() + " has volumes "
                    + local + " that only this host reaches; detach them before it is " + what, false);
        }
    }
}
