package dev.computeagent.virt.libvirt.designer;

import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.libvirt.domain.Graphics;
import dev.computeagent.virt.libvirt.domain.GraphicsType;
import java.util.Optional;

/** A VNC console on a libvirt-chosen port of {@code listenAddress}, only when the spec asks for one. */
final class GraphicsConfigurator implements DomainConfigurator {

    private final String listenAddress;

    GraphicsConfigurator(String listenAddress) {
        this.listenAddress = listenAddress;
    }

    @Override
    public void configure(InstanceSpec spec, DomainBuilder domain) {
        if (spec.vnc()) {
            domain.graphics.add(new Graphics(GraphicsType.VNC, Optional.of(listenAddress), Optional.empty()));
        }
    }
}
