package dev.computeagent.agent.message;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The payload of {@code instance.migrate.progress} and the {@code migration} of
 * {@code GET /v1/instances/{uuid}} while the instance migrates away: the latest sample of the
 * hypervisor's job. Bytes are 0 where the hypervisor does not report them; {@code percent} never goes
 * down during one migration.
 *
 * @param destination            the destination host
 * @param phase                  {@code SETUP}, {@code DISK_COPY}, {@code MEMORY_COPY}, {@code AUTO_CONVERGE} or {@code POST_COPY}
 * @param percent                share of the data sent, 0-100, never lower than an earlier sample's
 * @param elapsedMs              since the transfer started
 * @param memoryTotalBytes       the guest memory to send
 * @param memoryProcessedBytes   memory sent so far (pages sent again count again)
 * @param memoryRemainingBytes   memory still to send
 * @param dirtyRateBytesPerSecond how fast the guest dirties its memory
 * @param iteration              passes over the memory so far
 * @param downtimeLimitMs        the pause allowed at switch-over now
 * @param diskTotalBytes         copied disks: to send (0 with shared storage)
 * @param diskProcessedBytes     copied disks: sent so far
 * @param diskRemainingBytes     copied disks: still to send
 * @param cpuThrottlePercent     CPU time auto-converge takes from the guest now
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record MigrationProgressPayload(
        @JsonProperty("destination") String destination,
        @JsonProperty("phase") String phase,
        @JsonProperty("percent") int percent,
        @JsonProperty("elapsed_ms") long elapsedMs,
        @JsonProperty("memory_total_bytes") long memoryTotalBytes,
        @JsonProperty("memory_processed_bytes") long memoryProcessedBytes,
        @JsonProperty("memory_remaining_bytes") long memoryRemainingBytes,
        @JsonProperty("dirty_rate_bytes_per_second") long dirtyRateBytesPerSecond,
        @JsonProperty("iteration") long iteration,
        @JsonProperty("downtime_limit_ms") long downtimeLimitMs,
        @JsonProperty("disk_total_bytes") long diskTotalBytes,
        @JsonProperty("disk_processed_bytes") long diskProcessedBytes,
        @JsonProperty("disk_remaining_bytes") long diskRemainingBytes,
        @JsonProperty("cpu_throttle_percent") int cpuThrottlePercent) {

    /** The event that carries it on {@code compute.events}. */
    public static final String EVENT = "instance.migrate.progress";
}
