package dev.computeagent.virt.migration;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * How to live-migrate one instance. Build with {@link #to(String)}.
 *
 * @param destinationUri     the destination hypervisor's migration URI as the <em>source</em>
 *                           hypervisor reaches it (peer to peer), e.g. {@code qemu+tcp://node-2/system}
 * @param storage            whether the disks are shared or copied
 * @param maxDowntime        the longest pause of the guest accepted at switch-over; the driver starts
 *                           lower and raises it in steps up to this value
 * @param completionTimeout  abort when the transfer has not completed by then; {@code null} = scaled by
 *                           the instance's memory, see {@link #effectiveCompletionTimeout(long)}
 * @param stallTimeout       abort when the remaining data has not shrunk for this long
 * @param autoConverge       let the hypervisor throttle the guest's CPUs when it dirties memory
 *                           faster than it can be sent
 * @param unsafe             skip the hypervisor's check that disk caching is safe for migration (for
 *                           shared storage the hypervisor does not recognise as such)
 * @param pollInterval       how often the monitor samples the job
 * @param pathRewrites       directories whose files live under another directory on the destination
 *                           (source directory → destination directory, both absolute): disk and console
 *                           log paths below a key are rewritten for the destination's definition. Empty
 *                           when both hosts use the same paths, as hosts of one cluster normally do.
 * @param bandwidthMibPerSecond the most the transfer (memory and copied disks) may use, MiB/s; 0 = no limit
 * @param keptDisks          guest devices ({@code vdb}…) of disks that stay where they are because both hosts
 *                           reach them (shared volumes): a {@link StorageMode#BLOCK_INCREMENTAL} migration
 *                           copies every other writable disk and never these. Empty = every writable disk is
 *                           the instance's own.
 * @param postCopyAfter      {@code null}: post-copy is not permitted. Otherwise the transfer is started
 *                           post-copy capable and switched to post-copy (the guest runs on the destination,
 *                           which fetches missing pages from the source) when no pass over the memory
 *                           started with less data left than an earlier one for this long, or instead of aborting at the completion timeout or a
 *                           stall. A failure after the switch loses the guest on both sides (see
 *                           {@link MigrationException.Reason#POST_COPY_FAILED}).
 * @param destinationVolumes attached volumes as the destination reaches them, at most one per device: the
 *                           destination's definition opens each through its connection and (with credentials) the
 *                           destination's secret, which {@link MigrationDriver#prepareIncomingVolumes} defined there.
 *                           A volume with credentials must be listed (its secret here is private to this host); one
 *                           without may be (when the destination reaches it otherwise). Empty = every volume is
 *                           opened on the destination as it is here.
 */
public record MigrationRequest(String destinationUri, StorageMode storage, Duration maxDowntime,
                               Duration completionTimeout, Duration stallTimeout, boolean autoConverge,
                               boolean unsafe, Duration pollInterval, Map<Path, Path> pathRewrites,
                               long bandwidthMibPerSecond, Set<String> keptDisks, Duration postCopyAfter,
                               List<DestinationVolume> destinationVolumes) {

    /** Default {@code max_downtime_ms} of the migrate command. */
    public static final Duration DEFAULT_MAX_DOWNTIME = Duration.ofMillis(500);
    /** Completion timeout per GiB of memory when none is given (Nova's default scale). */
    public static final Duration COMPLETION_TIMEOUT_PER_GIB = Duration.ofSeconds(800);
    /** Lower bound of a scaled completion timeout: small guests still get time to set up. */
    public static final Duration MIN_SCALED_COMPLETION_TIMEOUT = Duration.ofSeconds(60);
    /** Default stall window (KubeVirt's progress timeout). */
    public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(150);
    /** Default monitor sampling interval. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(500);

    public MigrationRequest {
        Objects.requireNonNull(destinationUri, "destinationUri");
        if (!destinationUri.matches("[a-z][a-z0-9+.-]*://[^\\s]*")) {
            throw new IllegalArgumentException("not a hypervisor URI: " + destinationUri);
        }
        Objects.requireNonNull(storage, "storage");
        positive("maxDowntime", maxDowntime);
        if (completionTimeout != null) {
            positive("completionTimeout", completionTimeout);
        }
        positive("stallTimeout", stallTimeout);
        positive("pollInterval", pollInterval);
        if (bandwidthMibPerSecond < 0) {
            throw new IllegalArgumentException("bandwidth must not be negative: " + bandwidthMibPerSecond);
        }
        if (postCopyAfter != null) {
            positive("postCopyAfter", postCopyAfter);
        }
        pathRewrites = Map.copyOf(pathRewrites);
        keptDisks = Set.copyOf(keptDisks);
        destinationVolumes = List.copyOf(destinationVolumes);
        Set<String> devices = new HashSet<>();
        for (DestinationVolume volume : destinationVolumes) {
            if (!devices.add(volume.device())) {
                throw new IllegalArgumentException("two destination volumes on " + volume.device());
            }
        }
        pathRewrites.forEach((from, to) -> {
            if (!from.isAbsolute() || !to.isAbsolute()) {
                throw new IllegalArgumentException("path rewrites need absolute directories: " + from + " -> " + to);
            }
        });
    }

    /** A request whose volumes are opened on the destination as they are here. */
    public MigrationRequest(String destinationUri, StorageMode storage, Duration maxDowntime,
                            Duration completionTimeout, Duration stallTimeout, boolean autoConverge,
                            boolean unsafe, Duration pollInterval, Map<Path, Path> pathRewrites,
                            long bandwidthMibPerSecond, Set<String> keptDisks, Duration postCopyAfter) {
        this(destinationUri, storage, maxDowntime, completionTimeout, stallTimeout, autoConverge, unsafe,
                pollInterval, pathRewrites, bandwidthMibPerSecond, keptDisks, postCopyAfter, List.of());
    }

    /** A request whose writable disks are all the instance's own and that never switches to post-copy. */
    public MigrationRequest(String destinationUri, StorageMode storage, Duration maxDowntime,
                            Duration completionTimeout, Duration stallTimeout, boolean autoConverge,
                            boolean unsafe, Duration pollInterval, Map<Path, Path> pathRewrites,
                            long bandwidthMibPerSecond) {
        this(destinationUri, storage, maxDowntime, completionTimeout, stallTimeout, autoConverge, unsafe,
                pollInterval, pathRewrites, bandwidthMibPerSecond, Set.of(), null);
    }

    /** A request with the defaults: shared storage, 500 ms downtime, scaled timeout, no auto-converge. */
    public static Builder to(String destinationUri) {
        return new Builder(destinationUri);
    }

    /** This request with files under {@code sourceDir} living under {@code destinationDir} on the destination. */
    public MigrationRequest withPathRewrite(Path sourceDir, Path destinationDir) {
        Map<Path, Path> rewrites = new LinkedHashMap<>(pathRewrites);
        rewrites.put(sourceDir, destinationDir);
        return new MigrationRequest(destinationUri, storage, maxDowntime, completionTimeout, stallTimeout, autoConverge,
                unsafe, pollInterval, rewrites, bandwidthMibPerSecond, keptDisks, postCopyAfter, destinationVolumes);
    }

    /** This request with the disks on {@code devices} left where they are (see {@link #keptDisks}). */
    public MigrationRequest withKeptDisks(Set<String> devices) {
        return new MigrationRequest(destinationUri, storage, maxDowntime, completionTimeout, stallTimeout, autoConverge,
                unsafe, pollInterval, pathRewrites, bandwidthMibPerSecond, devices, postCopyAfter, destinationVolumes);
    }

    /** This request with the volumes opened on the destination as {@code volumes} say (see {@link #destinationVolumes}). */
    public MigrationRequest withDestinationVolumes(List<DestinationVolume> volumes) {
        return new MigrationRequest(destinationUri, storage, maxDowntime, completionTimeout, stallTimeout, autoConverge,
                unsafe, pollInterval, pathRewrites, bandwidthMibPerSecond, keptDisks, postCopyAfter, volumes);
    }

    /** Whether the transfer may switch to post-copy. */
    public boolean postCopyPermitted() {
        return postCopyAfter != null;
    }

    /** The explicit completion timeout, if one was given. */
    public Optional<Duration> explicitCompletionTimeout() {
        return Optional.ofNullable(completionTimeout);
    }

    /**
     * The completion timeout to apply to an instance with {@code memoryMb} MiB of memory: the explicit
     * one, else {@link #COMPLETION_TIMEOUT_PER_GIB} per GiB, at least {@link #MIN_SCALED_COMPLETION_TIMEOUT}.
     */
    public Duration effectiveCompletionTimeout(long memoryMb) {
        if (completionTimeout != null) {
            return completionTimeout;
        }
        Duration scaled = Duration.ofMillis(COMPLETION_TIMEOUT_PER_GIB.toMillis() * memoryMb / 1024);
        return scaled.compareTo(MIN_SCALED_COMPLETION_TIMEOUT) < 0 ? MIN_SCALED_COMPLETION_TIMEOUT : scaled;
    }

    private static void positive(String what, Duration value) {
        Objects.requireNonNull(value, what);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(what + " must be positive: " + value);
        }
    }

    /** Builder with the documented defaults. */
    public static final class Builder {
        private final String destinationUri;
        private StorageMode storage = StorageMode.SHARED;
        private Duration maxDowntime = DEFAULT_MAX_DOWNTIME;
        private Duration completionTimeout;
        private Duration stallTimeout = DEFAULT_STALL_TIMEOUT;
        private boolean autoConverge;
        private boolean unsafe;
        private Duration pollInterval = DEFAULT_POLL_INTERVAL;
        private final Map<Path, Path> pathRewrites = new LinkedHashMap<>();
        private long bandwidthMibPerSecond;
        private Set<String> keptDisks = Set.of();
        private Duration postCopyAfter;
        private List<DestinationVolume> destinationVolumes = List.of();

        private Builder(String destinationUri) {
            this.destinationUri = destinationUri;
        }

        public Builder storage(StorageMode value) {
            this.storage = value;
            return this;
        }

        public Builder maxDowntime(Duration value) {
            this.maxDowntime = value;
            return this;
        }

        /** {@code null} = scaled by memory. */
        public Builder completionTimeout(Duration value) {
            this.completionTimeout = value;
            return this;
        }

        public Builder stallTimeout(Duration value) {
            this.stallTimeout = value;
            return this;
        }

        public Builder autoConverge(boolean value) {
            this.autoConverge = value;
            return this;
        }

        public Builder unsafe(boolean value) {
            this.unsafe = value;
            return this;
        }

        public Builder pollInterval(Duration value) {
            this.pollInterval = value;
            return this;
        }

        /** MiB/s; 0 = no limit. */
        public Builder bandwidthMibPerSecond(long value) {
            this.bandwidthMibPerSecond = value;
            return this;
        }

        /** Permit post-copy, switching when no pass started with less left for {@code value}; null = never. */
        public Builder postCopyAfter(Duration value) {
            this.postCopyAfter = value;
            return this;
        }

        /** Files under {@code sourceDir} live under {@code destinationDir} on the destination. */
        public Builder rewritePaths(Path sourceDir, Path destinationDir) {
            this.pathRewrites.put(sourceDir, destinationDir);
            return this;
        }

        /** Guest devices of disks both hosts reach: never copied (see {@link MigrationRequest#keptDisks}). */
        public Builder keepDisks(Set<String> devices) {
            this.keptDisks = Set.copyOf(devices);
            return this;
        }

        /** Volumes as the destination reaches them (see {@link MigrationRequest#destinationVolumes}). */
        public Builder destinationVolumes(List<DestinationVolume> volumes) {
            this.destinationVolumes = List.copyOf(volumes);
            return this;
        }

        public MigrationRequest build() {
            return new MigrationRequest(destinationUri, storage, maxDowntime, completionTimeout, stallTimeout,
                    autoConverge, unsafe, pollInterval, pathRewrites, bandwidthMibPerSecond, keptDisks, postCopyAfter,
                    destinationVolumes);
        }
    }
}
