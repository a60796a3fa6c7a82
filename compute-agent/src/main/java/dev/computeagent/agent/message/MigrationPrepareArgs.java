package dev.computeagent.agent.message;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.computeagent.virt.Flavor;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * {@code migration.prepare.args}: get ready to receive the instance. {@code disk_virtual_size} (bytes)
 * and {@code config_drive} (base64 of the drive's bytes, at most 4 MiB) matter for a block migration
 * only; {@code start}: a cold copy of an instance that was running, to boot on arrival;
 * {@code security_groups}: the instance's rules when its NICs are filtered, so that its filter exists here
 * before it arrives; {@code resize_flavor}: a {@code resize} to another host, the capacity held is that
 * flavor's (the disks are laid out per {@code flavor}, the instance's own, for the copy; adopt resizes them);
 * {@code volumes}: attached volumes as this host reaches them, whose credentials' secrets it defines before the
 * move ({@link MigrationVolumeArgs}); {@code shared_storage_probe}: the source did not call {@code migration.check},
 * the destination checks here (as {@code migration.check} with this probe) and prepares only when the storage it
 * sees matches {@code block_migration} (shared without copy, not shared with copy); otherwise it answers the check
 * with {@code prepared: false} and holds nothing; {@code arrival_notice}: a live migration's source asks to be told,
 * at its reply address with this correlation id, as soon as the destination claimed the instance on its arrival
 * ({@code instance.migration.arrived}, instead of an adopt round trip).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MigrationPrepareArgs(
        @JsonProperty("source_host") String sourceHost,
        @JsonProperty("name") String name,
        @JsonProperty("flavor") Flavor flavor,
        @JsonProperty("image_id") String imageId,
        @JsonProperty("block_migration") boolean blockMigration,
        @JsonProperty("disk_virtual_size") @Nullable Long diskVirtualSize,
        @JsonProperty("metadata") @Nullable Map<String, String> metadata,
        @JsonProperty("start") @Nullable Boolean start,
        @JsonProperty("config_drive") @Nullable String configDrive,
        @JsonProperty("security_groups") @Nullable List<SecurityRuleArgs> securityGroups,
        @JsonProperty("resize_flavor") @Nullable Flavor resizeFlavor,
        @JsonProperty("volumes") @Nullable List<MigrationVolumeArgs> volumes,
        @JsonProperty("shared_storage_probe") @Nullable String sharedStorageProbe,
        @JsonProperty("arrival_notice") @Nullable String arrivalNotice) implements InternalArgs {

    /** Arguments after a separate {@code migration.check} (no probe). */
    public MigrationPrepareArgs(String sourceHost, String name, Flavor flavor, String imageId, boolean blockMigration,
                                @Nullable Long diskVirtualSize, @Nullable Map<String, String> metadata,
                                @Nullable Boolean start, @Nullable String configDrive,
                                @Nullable List<SecurityRuleArgs> securityGroups, @Nullable Flavor resizeFlavor,
                                @Nullable List<MigrationVolumeArgs> volumes) {
        this(sourceHost, name, flavor, imageId, blockMigration, diskVirtualSize, metadata, start, configDrive,
                securityGroups, resizeFlavor, volumes, null, null);
    }

    /** Arguments without volumes to prepare. */
    public MigrationPrepareArgs(String sourceHost, String name, Flavor flavor, String imageId, boolean blockMigration,
                                @Nullable Long diskVirtualSize, @Nullable Map<String, String> metadata,
                                @Nullable Boolean start, @Nullable String configDrive,
                                @Nullable List<SecurityRuleArgs> securityGroups, @Nullable Flavor resizeFlavor) {
        this(sourceHost, name, flavor, imageId, blockMigration, diskVirtualSize, metadata, start, configDrive,
                securityGroups, resizeFlavor, null, null, null);
    }

    /** Arguments of a plain migration (no resize on the way). */
    public MigrationPrepareArgs(String sourceHost, String name, Flavor flavor, String imageId, boolean blockMigration,
                                @Nullable Long diskVirtualSize, @Nullable Map<String, String> metadata,
                                @Nullable Boolean start, @Nullable String configDrive,
                                @Nullable List<SecurityRuleArgs> securityGroups) {
        this(sourceHost, name, flavor, imageId, blockMigration, diskVirtualSize, metadata, start, configDrive,
                securityGroups, null, null, null, null);
    }

    /** Arguments of an instance whose NICs are not filtered. */
    public MigrationPrepareArgs(String sourceHost, String name, Flavor flavor, String imageId, boolean blockMigration,
                                @Nullable Long diskVirtualSize, @Nullable Map<String, String> metadata,
                                @Nullable Boolean start, @Nullable String configDrive) {
        this(sourceHost, name, flavor, imageId, blockMigration, diskVirtualSize, metadata, start, configDrive, null, null,
                null, null, null);
    }

    /** The same arguments with the check done within the prepare, for {@code probe}. */
    public MigrationPrepareArgs withSharedStorageProbe(@Nullable String probe) {
        return new MigrationPrepareArgs(sourceHost, name, flavor, imageId, blockMigration, diskVirtualSize, metadata,
                start, configDrive, securityGroups, resizeFlavor, volumes, probe, arrivalNotice);
    }

    /** The same arguments asking for the notice {@code id} when the instance is claimed on its arrival. */
    public MigrationPrepareArgs withArrivalNotice(@Nullable String id) {
        return new MigrationPrepareArgs(sourceHost, name, flavor, imageId, blockMigration, diskVirtualSize, metadata,
                start, configDrive, securityGroups, resizeFlavor, volumes, sharedStorageProbe, id);
    }

    /** The flavor the instance will have on the destination. */
    public Flavor flavorThere() {
        return resizeFlavor == null ? flavor : resizeFlavor;
    }
}
