package dev.computeagent.agent.handler;

import dev.computeagent.agent.failure.CommandFailedException;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.agent.state.AttachedVolumes;
import dev.computeagent.virt.DiskSpec;
import dev.computeagent.virt.InstanceInfo;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.TreeSet;

/**
 * What the commands that render an instance's definition again (resize, rescue, rebuild) or move it to another
 * host (migrate) must check about its attached volumes.
 */
public final class Redefinitions {

    private Redefinitions() {
    }

    /**
     * A resize to another host re-creates the instance on the destination from typed data that carries no
     * volumes: a volume attached through {@code attach_volume} would be dropped, so an instance with one is
     * refused.
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

    /** The devices the instance's attached volumes take ({@code attach_volume}), which its own disks must leave. */
    public static Set<String> volumeDevices(InstanceInfo info) {
        return AttachedVolumes.of(info.metadata().annotations()).values().stream()
                .map(AttachedVolumes.Entry::device).collect(Collectors.toSet());
    }

    /**
     * A redefinition keeps the attached volumes on their devices ({@code ComputeDriver.redefine}): one whose own
     * {@code disks} would take the device of a volume is refused before anything changes.
     *
     * @throws CommandFailedException {@code INVALID_STATE} naming the volumes in the way; nothing changed
     */
    public static void requireVolumeDevicesFree(InstanceInfo info, List<DiskSpec> disks, String what) {
        Set<String> own = disks.stream().map(DiskSpec::device).collect(Collectors.toSet());
        Map<String, String> inTheWay = new TreeMap<>();
        AttachedVolumes.of(info.metadata().annotations()).values().stream()
                .filter(v -> own.contains(v.device())).forEach(v -> inTheWay.put(v.volumeId(), v.device()));
        if (!inTheWay.isEmpty()) {
            throw new CommandFailedException(ErrorCode.INVALID_STATE, "instance " + info.uuid() + " has volumes "
                    + inTheWay + " attached on devices its " + what + " definition needs for its own disks; "
                    + "detach them first", false);
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
