package dev.computeagent.agent.handler;

import dev.computeagent.agent.failure.CommandFailedException;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.agent.state.AttachedVolumes;
import dev.computeagent.virt.InstanceInfo;
import java.util.Set;

/**
 * What the commands that render an instance's definition again (resize, rescue) or move it to another host
 * (migrate) cannot carry over yet.
 */
public final class Redefinitions {

    private Redefinitions() {
    }

    /**
     * The definition is rendered from the agent's own disks ({@code ComputeDriver.redefine}), and a destination
     * does not resolve a volume's connection (its libvirt secret) before a migration: a volume attached through
     * {@code attach_volume} would be dropped or make the move fail, so an instance with one is refused.
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
}
