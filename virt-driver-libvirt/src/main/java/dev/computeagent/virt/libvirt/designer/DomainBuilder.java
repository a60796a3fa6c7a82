package dev.computeagent.virt.libvirt.designer;

import dev.computeagent.virt.InstanceMetadata;
import dev.computeagent.virt.libvirt.domain.BootDevice;
import dev.computeagent.virt.libvirt.domain.Channel;
import dev.computeagent.virt.libvirt.domain.ClockOffset;
import dev.computeagent.virt.libvirt.domain.Console;
import dev.computeagent.virt.libvirt.domain.Cpu;
import dev.computeagent.virt.libvirt.domain.Devices;
import dev.computeagent.virt.libvirt.domain.Disk;
import dev.computeagent.virt.libvirt.domain.Domain;
import dev.computeagent.virt.libvirt.domain.DomainType;
import dev.computeagent.virt.libvirt.domain.Feature;
import dev.computeagent.virt.libvirt.domain.Graphics;
import dev.computeagent.virt.libvirt.domain.LifecycleActions;
import dev.computeagent.virt.libvirt.domain.MemBalloon;
import dev.computeagent.virt.libvirt.domain.NetInterface;
import dev.computeagent.virt.libvirt.domain.Os;
import dev.computeagent.virt.libvirt.domain.Rng;
import dev.computeagent.virt.libvirt.domain.Serial;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The domain under construction, filled in by {@link DomainConfigurator}s. Unset parts get the
 * hypervisor's defaults; {@link #build()} checks that identity and size were set.
 */
final class DomainBuilder {

    DomainType type = DomainType.QEMU;
    @Nullable String name;
    @Nullable UUID uuid;
    long memoryKib;
    int vcpus;
    Optional<String> machine = Optional.empty();
    final List<BootDevice> boot = new ArrayList<>();
    final Set<Feature> features = EnumSet.noneOf(Feature.class);
    Optional<Cpu> cpu = Optional.empty();
    ClockOffset clock = ClockOffset.UTC;
    LifecycleActions lifecycle = LifecycleActions.LIBVIRT_DEFAULTS;
    final List<Disk> disks = new ArrayList<>();
    final List<NetInterface> interfaces = new ArrayList<>();
    final List<Serial> serials = new ArrayList<>();
    final List<Console> consoles = new ArrayList<>();
    final List<Channel> channels = new ArrayList<>();
    final List<Graphics> graphics = new ArrayList<>();
    Optional<MemBalloon> memBalloon = Optional.empty();
    final List<Rng> rngs = new ArrayList<>();
    int pcieRootPorts;
    Optional<InstanceMetadata> agentMetadata = Optional.empty();

    /**
     * The finished domain.
     *
     * @throws IllegalStateException name, uuid, memory or vcpus were not set
     */
    public Domain build() {
        if (name == null || uuid == null || memoryKib <= 0 || vcpus <= 0) {
            throw new IllegalStateException("a domain needs a name, a uuid, memory and vcpus");
        }
        return new Domain(type, name, uuid, memoryKib, vcpus, new Os(Optional.empty(), machine, boot),
                features, cpu, clock, lifecycle,
                new Devices(Optional.empty(), disks, interfaces, serials, consoles, channels, graphics, memBalloon,
                        rngs, List.of(), pcieRootPorts),
                agentMetadata);
    }
}
