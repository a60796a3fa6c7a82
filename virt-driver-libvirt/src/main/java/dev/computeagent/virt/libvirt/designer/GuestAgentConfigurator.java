package dev.computeagent.virt.libvirt.designer;

import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.libvirt.domain.Channel;
import dev.computeagent.virt.libvirt.domain.CharDeviceType;

/**
 * The QEMU guest agent's virtio-serial channel ({@code org.qemu.guest_agent.0}, a unix socket libvirt
 * places itself), for instances whose image runs the agent, as Nova adds it for
 * {@code hw_qemu_guest_agent=yes}. With it libvirt can ask the guest to shut down or reboot through
 * the agent, and ping it.
 */
final class GuestAgentConfigurator implements DomainConfigurator {

    @Override
    public void configure(InstanceSpec spec, DomainBuilder domain) {
        if (spec.guestAgent()) {
            domain.channels.add(new Channel(CharDeviceType.UNIX, Channel.QEMU_GUEST_AGENT));
        }
    }
}
