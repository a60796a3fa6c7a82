package dev.computeagent.agent.migration;

import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.agent.message.MigratedInstance;
import dev.computeagent.agent.message.NicArgs;
import dev.computeagent.agent.message.SecurityRuleArgs;
import dev.computeagent.agent.provision.InstanceProvisioner;
import dev.computeagent.agent.state.Annotations;
import dev.computeagent.image.ImageCache;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.InstanceMetadata;
import dev.computeagent.virt.InstanceSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * An instance given as typed data ({@link MigratedInstance}: a cold adopt over shared storage, or the old
 * definition a resize's source kept) as a spawn on this host would define it: this host as the owner, this
 * host's own files, the image's own properties as cached here. Never a document made elsewhere.
 */
final class MigratedInstanceSpecs {

    private final InstanceProvisioner provisioner;
    private final ImageCache images;
    private final String host;

    MigratedInstanceSpecs(InstanceProvisioner provisioner, ImageCache images, String host) {
        this.provisioner = provisioner;
        this.images = images;
        this.host = host;
    }

    /** The spec, stopped; its NICs reference the instance's filter when it has rules (defined beforehand). */
    InstanceSpec spec(UUID uuid, MigratedInstance instance) {
        Flavor flavor = instance.flavor();
        Map<String, String> annotations = new HashMap<>();
        annotations.put(Annotations.STATE, InstanceState.STOPPED.name());
        Optional.ofNullable(instance.createdAt()).ifPresent(v -> annotations.put(Annotations.CREATED_AT, v));
        Optional.ofNullable(instance.spawnRequest()).ifPresent(v -> annotations.put(Annotations.SPAWN_REQUEST, v));
        Optional.ofNullable(instance.specSha256()).ifPresent(v -> annotations.put(Annotations.SPEC_SHA256, v));
        List<SecurityRuleArgs> rules = instance.securityGroups();
        InstanceMetadata metadata = new InstanceMetadata(instance.name(), flavor, instance.imageId(), host,
                instance.metadata() == null ? Map.of() : instance.metadata(),
                rules == null ? annotations : Annotations.withSecurityGroups(annotations, rules));
        InstanceSpec spec = provisioner.spec(uuid, metadata, provisioner.disks(uuid, flavor),
                instance.nics() == null ? List.of() : instance.nics().stream().map(NicArgs::toSpec).toList(),
                images.fetch(instance.imageId()).properties());
        return rules == null ? spec : spec.withSecurityGroups();
    }
}
