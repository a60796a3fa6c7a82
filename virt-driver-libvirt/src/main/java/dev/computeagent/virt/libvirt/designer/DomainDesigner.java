package dev.computeagent.virt.libvirt.designer;

import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.libvirt.domain.Domain;
import java.util.List;

/**
 * Turns an {@link InstanceSpec} into the {@link Domain} to define, by running one small
 * {@link DomainConfigurator} per concern. All policy (virt type, CPU mode, cache fallback, console,
 * VNC, lifecycle) lives in the configurators; the model only holds the result. Thread-safe.
 */
public final class DomainDesigner {

    private final List<DomainConfigurator> configurators;

    public DomainDesigner(DesignerOptions options) {
        this(List.of(
                new IdentityConfigurator(options.virtType()),
                new MetadataConfigurator(),
                new MemoryConfigurator(),
                new CpuConfigurator(options.cpuPolicy()),
                new PlatformConfigurator(options.machineType(), options.pcieRootPorts()),
                new LifecycleConfigurator(),
                new DiskConfigurator(options.directIoProbe(), options.machineType()),
                new NicConfigurator(),
                new ConsoleConfigurator(),
                new GuestAgentConfigurator(),
                new GraphicsConfigurator(options.vncListenAddress()),
                new DevicesConfigurator(options.rngSource())));
    }

    DomainDesigner(List<DomainConfigurator> configurators) {
        this.configurators = List.copyOf(configurators);
    }

    /**
     * The domain for {@code spec}.
     *
     * @throws dev.computeagent.virt.InvalidSpecException the spec cannot be honoured (two disks on one
     *                                                    device, metadata that is not valid Unicode)
     */
    public Domain design(InstanceSpec spec) {
        DomainBuilder builder = new DomainBuilder();
        for (DomainConfigurator configurator : configurators) {
            configurator.configure(spec, builder);
        }
        return builder.build();
    }
}
