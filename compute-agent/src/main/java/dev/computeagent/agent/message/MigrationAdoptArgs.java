package dev.computeagent.agent.message;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.jspecify.annotations.Nullable;

/**
 * {@code migration.adopt.args}: the hypervisor moved the instance, or (cold migration over shared
 * storage, {@code instance} given) the destination is to define it itself from {@code instance}, with
 * its own paths; {@code start}: boot it afterwards (it was running on the source); {@code resize}: a
 * {@code resize} to another host, the destination gives the arrived instance the new flavor and keeps it
 * {@code RESIZED} (with {@code start}: boots it after that); {@code after_post_copy_failure}: the source's
 * transfer failed after the switch to post-copy (it lost its own hypervisor, or the link or a QEMU died), so
 * the destination, where the guest's newest memory and disk writes are, waits until its hypervisor settles
 * the incoming migration and takes the instance: running when the migration completed without the source's
 * management, else powered off and recorded {@code ERROR}; {@code source_copy_gone} (with it): the source's copy
 * of the guest no longer runs (its QEMU ended), so pages it still held are lost and an incoming migration still in
 * progress after a short wait can never complete.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MigrationAdoptArgs(
        @JsonProperty("source_host") String sourceHost,
        @JsonProperty("migrate_request_id") @Nullable String migrateRequestId,
        @JsonProperty("instance") @Nullable MigratedInstance instance,
        @JsonProperty("start") @Nullable Boolean start,
        @JsonProperty("resize") @Nullable MigrationResize resize,
        @JsonProperty("after_post_copy_failure") @Nullable Boolean afterPostCopyFailure,
        @JsonProperty("source_copy_gone") @Nullable Boolean sourceCopyGone) implements InternalArgs {

    public MigrationAdoptArgs(String sourceHost, @Nullable String migrateRequestId, @Nullable MigratedInstance instance,
                              @Nullable Boolean start, @Nullable MigrationResize resize) {
        this(sourceHost, migrateRequestId, instance, start, resize, null, null);
    }

    /** Arguments of the adopt that ends a post-copy migration whose transfer failed on the source. */
    public static MigrationAdoptArgs afterPostCopyFailure(String sourceHost, String migrateRequestId,
                                                          boolean sourceCopyGone) {
        return new MigrationAdoptArgs(sourceHost, migrateRequestId, null, null, null, true, sourceCopyGone);
    }

    /** Arguments of a plain migration (no resize on the way). */
    public MigrationAdoptArgs(String sourceHost, @Nullable String migrateRequestId, @Nullable MigratedInstance instance,
                              @Nullable Boolean start) {
        this(sourceHost, migrateRequestId, instance, start, null, null, null);
    }
}
