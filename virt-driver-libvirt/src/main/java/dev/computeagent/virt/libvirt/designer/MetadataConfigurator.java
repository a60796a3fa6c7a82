package dev.computeagent.virt.libvirt.designer;

import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.InvalidSpecException;
import dev.computeagent.virt.libvirt.domain.AgentMetadata;
import dev.computeagent.virt.libvirt.domain.DomainXmlException;
import java.util.Optional;

/** The agent's metadata element, which marks the domain as the agent's. */
final class MetadataConfigurator implements DomainConfigurator {

    @Override
    public void configure(InstanceSpec spec, DomainBuilder domain) {
        try {
            AgentMetadata.checkStorable(spec.metadata());
        } catch (DomainXmlException e) {
            throw new InvalidSpecException("instance metadata cannot be stored: " + e.getMessage(), e);
        }
        domain.agentMetadata = Optional.of(spec.metadata());
    }
}
