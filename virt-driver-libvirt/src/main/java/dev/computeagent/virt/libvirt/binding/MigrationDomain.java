package dev.computeagent.virt.libvirt.binding;

import dev.computeagent.virt.migration.IncomingState;
import dev.computeagent.virt.migration.MigrationException;
import dev.computeagent.virt.migration.MigrationException.Step;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.libvirt.Domain;
import org.libvirt.Domain.MigrateFlags;
import org.libvirt.DomainJobStats;
import org.libvirt.LibvirtException;
import org.libvirt.TypedParameter;
import org.libvirt.TypedStringParameter;
import org.libvirt.TypedUlongParameter;

/**
 * The migration calls on one domain: {@code virDomainMigrateToURI3} (blocking, run it on its own
 * thread), {@code virDomainGetJobStats}, {@code virDomainMigrateSetMaxDowntime},
 * {@code virDomainAbortJob}, {@code virDomainMigrateStartPostCopy}, and the migratable XML for a cold move. The other methods may be called
 * from any thread while a migration runs (libvirt allows job queries and these changes during a
 * migration job). Closing releases the domain reference.
 *
 * <p>Known limitation: libvirt-java's {@code getJobStats} does not free the returned parameter array
 * (a few KiB per sample, leaked only while a migration is monitored).
 */
public final class MigrationDomain implements AutoCloseable {

    /** {@code VIR_DOMAIN_XML_SECURE | VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_MIGRATABLE}. */
    private static final int XML_INACTIVE_MIGRATABLE = 1 | 2 | 8;
    /** {@code VIR_DOMAIN_XML_SECURE | VIR_DOMAIN_XML_MIGRATABLE}. */
    private static final int XML_SECURE_MIGRATABLE = 1 | 8;
    /** {@code VIR_DOMAIN_JOB_STATS_COMPLETED}. */
    private static final int STATS_COMPLETED = 1;
    private static final int JOB_BOUNDED = 1;
    private static final int JOB_UNBOUNDED = 2;
    private static final int JOB_COMPLETED = 3;
    /** {@code VIR_MIGRATE_PARAM_BANDWIDTH_POSTCOPY} (libvirt 5.1), not in libvirt-java. */
    private static final String PARAM_BANDWIDTH_POSTCOPY = "bandwidth.postcopy";
    /** libvirt omits {@code memory_page_size} when it is the target's default page size. */
    private static final long DEFAULT_PAGE_SIZE = 4096;
    /** {@code VIR_MIGRATE_PARAM_MIGRATE_DISKS}. */
    private static final String MIGRATE_DISKS = "migrate_disks";

    private final DomainHandle handle;
    private final Domain domain;
    /** A call given up on while libvirt still runs it: it uses this domain's reference until it returns. */
    private volatile @Nullable CompletableFuture<?> outstanding;

    /** Takes over {@code handle}: closing this closes it. */
    public MigrationDomain(DomainHandle handle) {
        this.handle = handle;
        this.domain = handle.libvirtDomain();
    }

    public DomainHandle handle() {
        return handle;
    }

    /**
     * Migrates peer to peer to {@code destinationUri} (live, or paused: see {@link MigrationFlags#live()});
     * returns when libvirt reports the job done.
     *
     * @throws MigrationException libvirt failed the migration ({@link Step#TRANSFER}); the caller
     *                            checks the connection and the source domain before trusting the reason
     */
    public void migrateToUri(String destinationUri, MigrationFlags flags) {
        migrateToUri(destinationUri, flags, null, null);
    }

    /**
     * As {@link #migrateToUri(String, MigrationFlags)}, with the definitions the destination gets:
     * {@code destinationXml} for the running guest, {@code persistentXml} for its persistent definition
     * (both {@code null} = the source's own).
     */
    public void migrateToUri(String destinationUri, MigrationFlags flags, String destinationXml, String persistentXml) {
        int bits = MigrateFlags.PEER2PEER | MigrateFlags.PERSIST_DEST | MigrateFlags.UNDEFINE_SOURCE
                | (flags.live() ? MigrateFlags.LIVE : MigrateFlags.PAUSED);
        if (flags.copyStorageIncremental()) {
            bits |= MigrateFlags.NON_SHARED_INC;
        }
        if (flags.autoConverge()) {
            bits |= MigrateFlags.AUTO_CONVERGE;
        }
        if (flags.unsafe()) {
            bits |= MigrateFlags.UNSAFE;
        }
        if (flags.postCopy()) {
            bits |= MigrateFlags.POSTCOPY;
        }
        // libvirt-java cannot marshal an empty parameter array; the name is a harmless one to pass
        List<TypedParameter> params = new ArrayList<>();
        params.add(new TypedStringParameter(Domain.DomainMigrateParameters.VIR_MIGRATE_PARAM_DEST_NAME, handle.name()));
        if (destinationXml != null) {
            params.add(new TypedStringParameter(Domain.DomainMigrateParameters.VIR_MIGRATE_PARAM_DEST_XML,
                    destinationXml));
        }
        if (flags.bandwidthMibPerSecond() > 0) {
            params.add(new TypedUlongParameter(Domain.DomainMigrateParameters.VIR_MIGRATE_PARAM_BANDWIDTH,
                    flags.bandwidthMibPerSecond()));
        }
        if (flags.copyStorageIncremental()) {
            // a typed-parameter list may repeat this field: one entry per disk to copy
            for (String device : flags.migrateDisks()) {
                params.add(new TypedStringParameter(MIGRATE_DISKS, device));
            }
        }
        if (flags.postCopy() && flags.bandwidthMibPerSecond() > 0) {
            // QEMU's post-copy phase is unlimited unless told: the host's limit holds for the whole transfer
            params.add(new TypedUlongParameter(PARAM_BANDWIDTH_POSTCOPY, flags.bandwidthMibPerSecond()));
        }
        if (persistentXml != null) {
            params.add(new TypedStringParameter(Domain.DomainMigrateParameters.VIR_MIGRATE_PARAM_PERSIST_XML,
                    persistentXml));
        }
        try {
            domain.migrateToURI(destinationUri, params.toArray(new TypedParameter[0]), bits);
        } catch (LibvirtException e) {
            throw MigrationErrors.translate(Step.TRANSFER, "migrate " + handle.name() + " to " + destinationUri, e);
        }
    }

    /** The current job; {@code active} is false once it ended. */
    public MigrationJobStats currentJob() {
        try {
            return toStats(domain.getJobStats(0));
        } catch (LibvirtException e) {
            throw LibvirtErrors.translate(LibvirtCall.INFO, handle.name(), e);
        }
    }

    /** The last completed job (for a destination: the incoming migration), if libvirt kept one. */
    public MigrationJobStats completedJob() {
        try {
            return toStats(domain.getJobStats(STATS_COMPLETED));
        } catch (LibvirtException e) {
            throw LibvirtErrors.translate(LibvirtCall.INFO, handle.name(), e);
        }
    }

    /** Listens for the completion of this domain's job (its downtime) until closed; start it before the job. */
    public JobCompletions watchJobCompletion() {
        return JobCompletions.watch(domain.getConnect(), domain);
    }

    /** On the destination: whether the incoming migration is still arriving, arrived or failed in post-copy. */
    public IncomingState incomingState() {
        return DomainStateReason.incoming(domain, handle.name());
    }

    /** {@code virDomainMigrateSetMaxDowntime}; allowed before and during a migration. */
    public void setMaxDowntime(Duration downtime) {
        try {
            domain.migrateSetMaxDowntime(Math.max(1, downtime.toMillis()));
        } catch (LibvirtException e) {
            throw MigrationErrors.translate(Step.PREPARE, "set max downtime of " + handle.name(), e);
        }
    }

    /** {@code virDomainAbortJob}: the running migration fails and the guest stays on the source. */
    public void abortJob() {
        try {
            domain.abortJob();
        } catch (LibvirtException e) {
            throw MigrationErrors.translate(Step.MONITOR, "abort the job of " + handle.name(), e);
        }
    }

    /**
     * {@code virDomainMigrateStartPostCopy}: the running job (started with {@link MigrationFlags#postCopy()})
     * switches to post-copy; the guest resumes on the destination, the job can no longer be aborted.
     *
     * @throws MigrationException libvirt refused (no such job, or it already ended); the job goes on unchanged
     */
    public void startPostCopy() {
        MigrationPostCopy.start(domain, handle.name());
    }

    /** The running guest's definition as a destination must recreate it ({@code SECURE | MIGRATABLE}). */
    public String liveMigratableXml() {
        try {
            return domain.getXMLDesc(XML_SECURE_MIGRATABLE);
        } catch (LibvirtException e) {
            throw LibvirtErrors.translate(LibvirtCall.XML, handle.name(), e);
        }
    }

    /** The persistent definition without host-specific parts (what a destination can define). */
    public String migratableXml() {
        try {
            return domain.getXMLDesc(XML_INACTIVE_MIGRATABLE);
        } catch (LibvirtException e) {
            throw LibvirtErrors.translate(LibvirtCall.XML, handle.name(), e);
        }
    }

    /**
     * Defers {@link #close} until {@code call} (a call on this domain still in libvirt, no longer waited for)
     * ends: libvirt reads the domain again when the call returns, so its reference must outlive it.
     */
    public void keepUntil(CompletableFuture<?> call) {
        this.outstanding = call;
    }

    @Override
    public void close() {
        CompletableFuture<?> call = outstanding;
        if (call != null) {
            call.whenComplete((result, failure) -> handle.close());
            return;
        }
        handle.close();
    }

    private static MigrationJobStats toStats(DomainJobStats stats) {
        Map<String, Long> values = new HashMap<>();
        if (stats.stats != null) {
            for (TypedParameter parameter : stats.stats) {
                try {
                    values.put(parameter.field, Long.parseLong(parameter.getValueAsString()));
                } catch (NumberFormatException e) {
                    // strings and doubles (e.g. "operation" in newer libvirt) are not needed here
                }
            }
        }
        long pageSize = values.getOrDefault("memory_page_size", DEFAULT_PAGE_SIZE);
        return new MigrationJobStats(stats.type == JOB_BOUNDED || stats.type == JOB_UNBOUNDED,
                stats.type == JOB_COMPLETED, values.getOrDefault("time_elapsed", 0L),
                values.getOrDefault("data_total", 0L), values.getOrDefault("data_processed", 0L),
                values.getOrDefault("data_remaining", 0L), values.getOrDefault("memory_iteration", 0L),
                values.getOrDefault("downtime", -1L), bytes(values, "memory"),
                values.getOrDefault("memory_dirty_rate", 0L) * pageSize, bytes(values, "disk"),
                values.getOrDefault("auto_converge_throttle", 0L).intValue());
    }

    private static MigrationJobStats.Bytes bytes(Map<String, Long> values, String prefix) {
        return new MigrationJobStats.Bytes(values.getOrDefault(prefix + "_total", 0L),
                values.getOrDefault(prefix + "_processed", 0L), values.getOrDefault(prefix + "_remaining", 0L));
    }
}
