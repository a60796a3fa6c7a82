package dev.computeagent.agent.message;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.computeagent.virt.Flavor;
import org.jspecify.annotations.Nullable;

/**
 * {@code migration.check.args}: can the destination take an instance of {@code flavor} from
 * {@code image_id}, and does it see the probe file {@code shared_storage_probe} the source put in the
 * instance directory (shared storage)? {@code resize_flavor}: the instance is resized on its way (a
 * {@code resize} to another host); the destination must fit that flavor instead.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MigrationCheckArgs(
        @JsonProperty("source_host") String sourceHost,
        @JsonProperty("flavor") Flavor flavor,
        @JsonProperty("image_id") String imageId,
        @JsonProperty("shared_storage_probe") @Nullable String sharedStorageProbe,
        @JsonProperty("resize_flavor") @Nullable Flavor resizeFlavor) implements InternalArgs {

    /** Arguments of a plain migration (no resize on the way). */
    public MigrationCheckArgs(String sourceHost, Flavor flavor, String imageId, @Nullable String sharedStorageProbe) {
        this(sourceHost, flavor, imageId, sharedStorageProbe, null);
    }

    /** The flavor the instance will have on the destination. */
    public Flavor flavorThere() {
        return resizeFlavor == null ? flavor : resizeFlavor;
    }
}
