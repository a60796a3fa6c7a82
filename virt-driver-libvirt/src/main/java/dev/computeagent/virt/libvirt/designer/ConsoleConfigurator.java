package dev.computeagent.virt.libvirt.designer;

import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.libvirt.domain.CharDeviceType;
import dev.computeagent.virt.libvirt.domain.CharLog;
import dev.computeagent.virt.libvirt.domain.Console;
import dev.computeagent.virt.libvirt.domain.ConsoleTargetType;
import dev.computeagent.virt.libvirt.domain.Serial;
import java.util.Optional;

/**
 * ttyS0 as a pty (so {@code virsh console} works) whose output virtlogd also appends to the
 * spec's console log, which survives restarts of the guest.
 */
final class ConsoleConfigurator implements DomainConfigurator {

    @Override
    public void configure(InstanceSpec spec, DomainBuilder domain) {
        domain.serials.add(new Serial(CharDeviceType.PTY, Optional.of(new CharLog(spec.consoleLog(), true)), 0));
        domain.consoles.add(new Console(CharDeviceType.PTY, ConsoleTargetType.SERIAL, 0));
    }
}
