package dev.computeagent.virt.libvirt.designer;

import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.libvirt.domain.MemBalloon;
import dev.computeagent.virt.libvirt.domain.MemBalloonModel;
import dev.computeagent.virt.libvirt.domain.Rng;
import dev.computeagent.virt.libvirt.domain.RngModel;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Helper devices every guest gets: a virtio memory balloon (memory statistics, host reclaim) and
 * a virtio RNG fed from the host's non-blocking entropy source, so guests do not starve at boot.
 */
final class DevicesConfigurator implements DomainConfigurator {

    private final Path rngSource;

    DevicesConfigurator(Path rngSource) {
        this.rngSource = rngSource;
    }

    @Override
    public void configure(InstanceSpec spec, DomainBuilder domain) {
        domain.memBalloon = Optional.of(new MemBalloon(MemBalloonModel.VIRTIO));
        domain.rngs.add(new Rng(RngModel.VIRTIO, rngSource));
    }
}
