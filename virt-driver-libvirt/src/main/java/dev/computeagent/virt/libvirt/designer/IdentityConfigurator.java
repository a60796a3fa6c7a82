package dev.computeagent.virt.libvirt.designer;

import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.libvirt.domain.DomainNames;

/** Domain type (kvm/qemu), the {@code instance-<uuid>} name and the uuid. */
final class IdentityConfigurator implements DomainConfigurator {

    private final VirtType virtType;

    IdentityConfigurator(VirtType virtType) {
        this.virtType = virtType;
    }

    @Override
    public void configure(InstanceSpec spec, DomainBuilder domain) {
        domain.type = virtType.domainType();
        domain.name = DomainNames.forUuid(spec.uuid());
        domain.uuid = spec.uuid();
    }
}
