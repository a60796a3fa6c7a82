package dev.computeagent.agent.provision;

import dev.computeagent.agent.failure.CommandFailedException;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.agent.state.InstanceFiles;
import dev.computeagent.agent.state.InstanceView;
import dev.computeagent.agent.state.InstanceViews;
import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.Gib;
import dev.computeagent.virt.HostResources;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The one capacity rule of this host, for everything that puts an instance here (a spawn, a migration's
 * check and prepare), and what the instances on their way hold meanwhile: spawns in flight (while their
 * images download, before they are in the registry) and incoming migrations (from prepare until adopt or
 * abort). A check and its hold are one atomic step, so two arrivals cannot both take the last of the host.
 *
 * <p>An instance fits when
 * <ul>
 *   <li>its vCPUs are at most the host's (sharing CPUs between instances is normal; one guest with more
 *       vCPUs than the host has threads is not),</li>
 *   <li>its memory is at most the host's less that of the agent's instances and of those arriving,</li>
 *   <li>its disk (root plus ephemeral; nothing for an instance whose disks stay where they are) is at
 *       most the state directory's free space less what those arriving hold.</li>
 * </ul>
 * A refusal is {@code INSUFFICIENT_RESOURCES}, retriable when the instance would fit on this host were it
 * empty (others may leave), not when it is larger than the host itself.
 *
 * <p>One per agent; thread-safe.
 */
public final class HostCapacity {

    /**
     * What one instance needs of this host.
     *
     * @param rootBytes its root disk here (0 = none: the disks stay where they are, or are not made yet)
     */
    public record Need(int vcpus, long memoryMb, long rootBytes, long ephemeralBytes) {

        /** An instance of {@code flavor} whose root disk here takes {@code rootBytes}, with its ephemeral disk. */
        public static Need withDisks(Flavor flavor, long rootBytes) {
            return new Need(flavor.vcpus(), flavor.memoryMb(), rootBytes, flavor.ephemeralBytes());
        }

        /** An instance of {@code flavor} that makes no disk here (its disks stay on shared storage). */
        public static Need withoutDisks(Flavor flavor) {
            return new Need(flavor.vcpus(), flavor.memoryMb(), 0, 0);
        }

        public long diskBytes() {
            return Math.addExact(rootBytes, ephemeralBytes);
        }
    }

    private final ComputeDriver driver;
    private final InstanceFiles files;
    private final InstanceViews instances;
    private final Map<UUID, Need> held = new HashMap<>();

    public HostCapacity(ComputeDriver driver, InstanceFiles files, InstanceViews instances) {
        this.driver = driver;
        this.files = files;
        this.instances = instances;
    }

    /**
     * Checks that {@code need} fits next to the agent's instances and the others arriving, and holds it for
     * {@code uuid} (replacing what {@code uuid} held) until {@link #release}.
     *
     * @throws CommandFailedException {@code INSUFFICIENT_RESOURCES}; what {@code uuid} held before stays held
     */
    public void reserve(UUID uuid, Need need) {
        Host host = host(need);
        synchronized (this) {
            check(uuid, need, host);
            held.put(uuid, need);
        }
    }

    /** Checks that {@code need} fits, holding nothing. @throws CommandFailedException as {@link #reserve} */
    public void check(UUID uuid, Need need) {
        Host host = host(need);
        synchronized (this) {
            check(uuid, need, host);
        }
    }

    /** The host's size and free space, read before the lock: the hypervisor may be slow to answer. */
    private Host host(Need need) {
        HostResources resources = driver.hostResources();
        return need.diskBytes() > 0
                ? new Host(resources.vcpus(), resources.memoryMb(), files.usableSpace(), files.totalSpace())
                : new Host(resources.vcpus(), resources.memoryMb(), 0, 0);
    }

    private record Host(int vcpus, long memoryMb, long freeDiskBytes, long totalDiskBytes) {
    }

    private void check(UUID uuid, Need need, Host host) {
        if (need.vcpus() > host.vcpus()) {
            throw insufficient("instance needs " + need.vcpus() + " vCPUs; the host has " + host.vcpus(), false);
        }
        long usedMb = memoryMbOfOthers(uuid);
        if (need.memoryMb() > host.memoryMb() - usedMb) {
            throw insufficient("instance needs " + need.memoryMb() + " MiB of memory; the host has "
                    + host.memoryMb() + " MiB, " + usedMb + " MiB of it held by this agent's instances and those "
                    + "arriving", need.memoryMb() <= host.memoryMb());
        }
        if (need.diskBytes() > 0) {
            long free = host.freeDiskBytes() - diskBytesOfOthers(uuid);
            if (need.diskBytes() > free) {
                throw insufficient("instance needs " + Gib.of(need.diskBytes()) + " GiB of disk (root "
                        + Gib.of(need.rootBytes()) + ", ephemeral " + Gib.of(need.ephemeralBytes()) + "); the state "
                        + "directory has " + Gib.of(Math.max(0, free)) + " GiB free for it",
                        need.diskBytes() <= host.totalDiskBytes());
            }
        }
    }

    /** Ends what {@code uuid} holds, if anything. */
    public synchronized void release(UUID uuid) {
        held.remove(uuid);
    }

    /** Memory of the agent's instances and of the others arriving, each counted once, {@code self} not at all. */
    private long memoryMbOfOthers(UUID self) {
        long arriving = 0;
        for (Map.Entry<UUID, Need> other : held.entrySet()) {
            if (!other.getKey().equals(self)) {
                arriving += other.getValue().memoryMb();
            }
        }
        long registered = 0;
        for (InstanceView view : instances.all()) {
            UUID uuid = UUID.fromString(view.uuid());
            if (!uuid.equals(self) && !held.containsKey(uuid)) {
                registered += view.flavor().memoryMb();
            }
        }
        return arriving + registered;
    }

    private long diskBytesOfOthers(UUID self) {
        return held.entrySet().stream().filter(e -> !e.getKey().equals(self))
                .mapToLong(e -> e.getValue().diskBytes()).sum();
    }

    private static CommandFailedException insufficient(String message, boolean retriable) {
        return new CommandFailedException(ErrorCode.INSUFFICIENT_RESOURCES, message, retriable);
    }
}
