package dev.computeagent.virt.libvirt.binding;

import dev.computeagent.virt.AddressSource;
import dev.computeagent.virt.IpAddress;
import dev.computeagent.virt.PowerState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.libvirt.Domain;
import org.libvirt.DomainBlockJobInfo;
import org.libvirt.DomainInfo;
import org.libvirt.DomainInterface;
import org.libvirt.LibvirtException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One libvirt domain reference ({@code virDomainPtr}); {@link #close()} releases it. Every
 * failure arrives translated by {@link LibvirtErrors}.
 */
public final class DomainHandle implements DomainPower, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DomainHandle.class);
    /** How long a guest agent may take to answer a query before it counts as not answering. */
    private static final Duration GUEST_AGENT_TIMEOUT = Duration.ofSeconds(5);

    /** {@code VIR_DOMAIN_METADATA_ELEMENT}. */
    private static final int METADATA_ELEMENT = 2;
    /** {@code VIR_DOMAIN_AFFECT_LIVE}, {@code VIR_DOMAIN_AFFECT_CONFIG}. */
    private static final int AFFECT_LIVE = 1;
    private static final int AFFECT_CONFIG = 2;
    /** {@code VIR_DOMAIN_XML_INACTIVE}. */
    private static final int XML_INACTIVE = 2;
    /** {@code VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | SNAPSHOTS_METADATA | NVRAM | CHECKPOINTS_METADATA}. */
    private static final int UNDEFINE_EVERYTHING = 1 | 2 | 4 | 16;
    private static final String GUEST_PING = "{\"execute\":\"guest-ping\"}";
    private static final String GUEST_FREEZE = "{\"execute\":\"guest-fsfreeze-freeze\"}";
    private static final String GUEST_THAW = "{\"execute\":\"guest-fsfreeze-thaw\"}";
    /** {@code VIR_DOMAIN_SNAPSHOT_CREATE_NO_METADATA | DISK_ONLY | ATOMIC}. */
    private static final int EXTERNAL_DISK_SNAPSHOT = 4 | 16 | 128;
    /** {@code VIR_DOMAIN_BLOCK_COMMIT_SHALLOW | ACTIVE}: the active layer into its immediate backing file. */
    private static final int ACTIVE_COMMIT_SHALLOW = 1 | 4;
    /** {@code VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT}. */
    private static final int PIVOT = 2;
    /** Graceful shutdown requests, each holding its own domain reference while libvirt works on it. */
    private static final ExecutorService SHUTDOWN_REQUESTS = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "libvirt-shutdown-request");
        thread.setDaemon(true);
        return thread;
    });

    private final Domain domain;
    private final UUID uuid;
    private final String name;

    private DomainHandle(Domain domain, UUID uuid, String name) {
        this.domain = domain;
        this.uuid = uuid;
        this.name = name;
    }

    /** Takes ownership of {@code domain}: it is freed here when its identity cannot be read. */
    static DomainHandle wrap(Domain domain) throws LibvirtException {
        try {
            return new DomainHandle(domain, UUID.fromString(domain.getUUIDString()), domain.getName());
        } catch (LibvirtException | RuntimeException e) {
            try {
                domain.free();
            } catch (LibvirtException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** The raw domain, for other classes of this package (e.g. migration calls); never leaves it. */
    Domain raw() {
        return domain;
    }

    public UUID uuid() {
        return uuid;
    }

    @Override
    public String name() {
        return name;
    }

    /** {@code virDomainCreate}: boots the defined domain. */
    public void create() {
        call(LibvirtCall.CREATE, () -> domain.create());
    }

    /**
     * {@code virDomainCreateWithFlags(PAUSED)}: starts the hypervisor process of the defined domain with
     * its CPUs stopped; the guest executes nothing until resumed.
     */
    public void createPaused() {
        call(LibvirtCall.CREATE, () -> domain.create(Domain.CreateFlags.PAUSED));
    }

    /**
     * {@code virDomainShutdown} with libvirt's default method, which for QEMU is what Nova relies on
     * and what {@code VIR_DOMAIN_SHUTDOWN_GUEST_AGENT | ACPI_POWER_BTN} asks explicitly (libvirt-java
     * has no {@code virDomainShutdownFlags}): the guest agent when the domain has its channel and the
     * agent is connected, ACPI when not or when the agent refuses. Through the agent libvirt answers
     * only once the guest has closed it (seconds, at most a minute), so the call runs on a thread of
     * its own, on a domain reference of its own, and this returns at once.
     */
    @Override
    public Future<?> requestShutdown() {
        Domain own = get(LibvirtCall.SHUTDOWN, () -> domain.getConnect().domainLookupByUUIDString(uuid.toString()));
        CompletableFuture<Void> answered = new CompletableFuture<>();
        SHUTDOWN_REQUESTS.execute(() -> {
            try {
                own.shutdown();
                answered.complete(null);
            } catch (LibvirtException e) {
                answered.completeExceptionally(LibvirtErrors.translate(LibvirtCall.SHUTDOWN, name, e));
            } catch (RuntimeException e) {
                answered.completeExceptionally(e);
            } finally {
                try {
                    own.free();
                } catch (LibvirtException ignored) {
                    // a reference on a dead connection cannot be freed remotely
                }
            }
        });
        return answered;
    }

    /**
     * {@code virDomainQemuAgentCommand} of {@code guest-ping}, waiting at most {@code timeout} (whole
     * seconds, at least one) for the answer once libvirt has synchronised with the agent.
     *
     * @throws dev.computeagent.virt.DriverException no agent channel, the agent is not connected, or it
     *                                               did not answer in time
     */
    public void pingGuestAgent(Duration timeout) {
        int seconds = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toSeconds()));
        call(LibvirtCall.AGENT, () -> domain.qemuAgentCommand(GUEST_PING, seconds, 0));
    }

    /**
     * {@code guest-fsfreeze-freeze} through the guest agent: the guest flushes and freezes its file systems
     * until {@link #thawFilesystems}. Waits at most {@code timeout} (whole seconds, at least one).
     *
     * @throws dev.computeagent.virt.DriverException no agent channel, not connected, refused or no answer
     */
    public void freezeFilesystems(Duration timeout) {
        call(LibvirtCall.AGENT, () -> domain.qemuAgentCommand(GUEST_FREEZE, seconds(timeout), 0));
    }

    /** {@code guest-fsfreeze-thaw} through the guest agent, waiting at most {@code timeout}. */
    public void thawFilesystems(Duration timeout) {
        call(LibvirtCall.AGENT, () -> domain.qemuAgentCommand(GUEST_THAW, seconds(timeout), 0));
    }

    /**
     * {@code virDomainGetBlockJobInfo}: the block job on {@code targetDev}, empty when there is none.
     */
    public Optional<BlockJobProgress> blockJobProgress(String targetDev) {
        return get(LibvirtCall.BLOCK_JOB, () -> {
            DomainBlockJobInfo info = domain.getBlockJobInfo(targetDev, 0);
            return info.type == 0 && info.end == 0 && info.cur == 0 ? Optional.<BlockJobProgress>empty()
                    : Optional.of(new BlockJobProgress(info.cur, info.end));
        });
    }

    /**
     * {@code virDomainBlockJobAbort} without pivot, waiting for the job to end; the domain keeps its disk.
     */
    public void abortBlockJob(String targetDev) {
        call(LibvirtCall.BLOCK_JOB, () -> domain.blockJobAbort(targetDev, 0));
    }

    /**
     * {@code virDomainSnapshotCreateXML(DISK_ONLY | NO_METADATA | ATOMIC)} of {@code snapshotXml}: the disks it
     * names get a new active overlay (created by libvirt), their current files become read-only backing files.
     * No snapshot metadata is kept.
     */
    public void createExternalDiskSnapshot(String snapshotXml) {
        call(LibvirtCall.BLOCK_JOB, () -> domain.snapshotCreateXML(snapshotXml, EXTERNAL_DISK_SNAPSHOT).free());
    }

    /**
     * {@code virDomainBlockCommit(SHALLOW | ACTIVE)} of disk {@code targetDev}: its active overlay is committed
     * into the overlay's immediate backing file; the job mirrors once caught up, until {@link #pivotBlockJob}.
     */
    public void startActiveCommit(String targetDev) {
        call(LibvirtCall.BLOCK_JOB, () -> domain.blockCommit(targetDev, null, null, 0, ACTIVE_COMMIT_SHALLOW));
    }

    /**
     * {@code virDomainBlockJobAbort(PIVOT)}: the caught-up job's target becomes the disk (synchronous). False, and
     * nothing done, while libvirt does not hold the job ready yet: QEMU reports a job caught up before libvirt has
     * handled its ready event, so a caller that saw it caught up asks again.
     */
    public boolean pivotBlockJob(String targetDev) {
        try {
            domain.blockJobAbort(targetDev, PIVOT);
            return true;
        } catch (LibvirtException e) {
            if (LibvirtErrors.isBlockJobNotReady(e)) {
                return false;
            }
            throw LibvirtErrors.translate(LibvirtCall.BLOCK_JOB, name, e);
        }
    }

    private static int seconds(Duration timeout) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toSeconds()));
    }

    /** {@code virDomainDestroy}: forces the domain off. */
    @Override
    public void destroy() {
        call(LibvirtCall.DESTROY, domain::destroy);
    }

    /** {@code virDomainSuspend}: stops the running domain's vCPUs, its memory kept. */
    public void suspend() {
        call(LibvirtCall.PAUSE, domain::suspend);
    }

    /** {@code virDomainResume}: lets the paused domain's vCPUs run again. */
    public void resume() {
        call(LibvirtCall.UNPAUSE, domain::resume);
    }

    /**
     * {@code virDomainManagedSave}: saves the active domain's memory to libvirt's managed save image and
     * stops it; {@link #create()} restores the image and removes it, {@link #undefine()} removes it too.
     */
    public void managedSave() {
        call(LibvirtCall.SAVE, domain::managedSave);
    }

    /** {@code virDomainHasManagedSaveImage}. */
    public boolean hasManagedSaveImage() {
        return get(LibvirtCall.INFO, () -> domain.hasManagedSaveImage() == 1);
    }

    /** {@code virDomainReset}: a hardware reset of the running domain. */
    public void reset() {
        call(LibvirtCall.RESET, domain::reset);
    }

    /** {@code virDomainUndefineFlags} with managed save, snapshot, checkpoint metadata and NVRAM. */
    public void undefine() {
        call(LibvirtCall.UNDEFINE, () -> domain.undefine(UNDEFINE_EVERYTHING));
    }

    @Override
    public boolean isActive() {
        return get(LibvirtCall.INFO, () -> domain.isActive() == 1);
    }

    /** {@code virDomainGetInfo}. */
    public DomainStatus status() {
        return get(LibvirtCall.INFO, () -> {
            DomainInfo info = domain.getInfo();
            PowerState state = EventMapping.powerState(info.state);
            return new DomainStatus(state, info.cpuTime, info.memory, info.nrVirtCpu);
        });
    }

    /**
     * {@code virDomainInterfaceAddresses} from {@code source} ({@code VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE}
     * or {@code _AGENT}): the interfaces it reports, in its order. Empty when the source cannot answer for
     * this domain now ({@link LibvirtErrors#isAddressSourceUnavailable}); a guest agent that does not sync
     * within 5 s (libvirt's own limit) or then answer within 5 s counts as not answering (the domain's guest
     * agent response timeout is set to that first: libvirt's default is to wait for the answer forever).
     *
     * @throws dev.computeagent.virt.HypervisorUnavailableException the connection is lost
     * @throws dev.computeagent.virt.InstanceNotFoundException      the domain is gone
     */
    public List<ReportedInterface> interfaceAddresses(AddressSource source) {
        int flag = switch (source) {
            case LEASE -> Domain.InterfaceAddressesSource.VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE;
            case GUEST_AGENT -> Domain.InterfaceAddressesSource.VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT;
        };
        if (source == AddressSource.GUEST_AGENT) {
            GuestAgentTimeout.limit(domain, GUEST_AGENT_TIMEOUT);
        }
        try {
            List<ReportedInterface> result = new ArrayList<>();
            for (DomainInterface reported : domain.interfaceAddresses(flag, 0)) {
                List<IpAddress> addresses = new ArrayList<>();
                for (DomainInterface.InterfaceAddress address : reported.addrs) {
                    addresses.add(IpAddress.of(address.address, address.prefixLength));
                }
                Optional<String> mac = Optional.ofNullable(reported.hwAddr).filter(m -> !m.isBlank())
                        .map(m -> m.toLowerCase(Locale.ROOT));
                result.add(new ReportedInterface(reported.name == null ? "" : reported.name, mac, addresses));
            }
            return result;
        } catch (LibvirtException e) {
            if (LibvirtErrors.isAddressSourceUnavailable(e)) {
                log.debug("domain {}: address source {} cannot answer: {}", name, source, e.getMessage());
                return List.of();
            }
            throw LibvirtErrors.translate(LibvirtCall.ADDRESSES, name, e);
        }
    }

    /** The live XML when running, else the persistent one. */
    public String xml() {
        return get(LibvirtCall.XML, () -> domain.getXMLDesc(0));
    }

    /**
     * {@code virDomainSetMetadata} of an element in namespace {@code uri} (bound to {@code prefix}),
     * on the persistent definition and, when running, on the live one too.
     */
    public void setMetadataElement(String elementXml, String prefix, String uri) {
        call(LibvirtCall.METADATA, () -> {
            int flags = domain.isActive() == 1 ? AFFECT_LIVE | AFFECT_CONFIG : AFFECT_CONFIG;
            domain.setMetadata(METADATA_ELEMENT, elementXml, prefix, uri, flags);
        });
    }

    /** {@code virConnectGetXMLDesc(INACTIVE)}: the persistent definition, also while running. */
    public String persistentXml() {
        return get(LibvirtCall.XML, () -> domain.getXMLDesc(XML_INACTIVE));
    }

    /**
     * {@code virDomainAttachDeviceFlags} of one device's XML: to the running guest and the persistent
     * definition when {@code live}, else to the definition only.
     */
    public void attachDevice(String deviceXml, boolean live) {
        call(LibvirtCall.ATTACH, () -> domain.attachDeviceFlags(deviceXml, live ? AFFECT_LIVE | AFFECT_CONFIG
                : AFFECT_CONFIG));
    }

    /**
     * {@code virDomainDetachDeviceFlags} from the running guest only: a request the guest answers by
     * releasing the device (libvirt waits a few seconds for it, then returns with the removal pending).
     */
    public void detachDeviceLive(String deviceXml) {
        call(LibvirtCall.DETACH, () -> domain.detachDeviceFlags(deviceXml, AFFECT_LIVE));
    }

    /** {@code virDomainDetachDeviceFlags} from the persistent definition only. */
    public void detachDeviceConfig(String deviceXml) {
        call(LibvirtCall.DETACH, () -> domain.detachDeviceFlags(deviceXml, AFFECT_CONFIG));
    }

    /** Listens for the removal of this domain's devices until closed; start it before the detach. */
    public DeviceRemovals watchDeviceRemovals() {
        return get(LibvirtCall.EVENTS, () -> DeviceRemovals.watch(domain.getConnect(), domain));
    }

    /** The libvirt-java domain, for the migration calls of this package ({@link MigrationDomain}). */
    Domain libvirtDomain() {
        return domain;
    }

    @Override
    public void close() {
        try {
            domain.free();
        } catch (LibvirtException e) {
            // a reference on a dead connection cannot be freed remotely; the local part is gone anyway
        }
    }

    @FunctionalInterface
    interface LibvirtAction {
        void run() throws LibvirtException;
    }

    @FunctionalInterface
    interface LibvirtSupplier<T> {
        T get() throws LibvirtException;
    }

    private void call(LibvirtCall call, LibvirtAction action) {
        try {
            action.run();
        } catch (LibvirtException e) {
            throw LibvirtErrors.translate(call, name, e);
        }
    }

    private <T> T get(LibvirtCall call, LibvirtSupplier<T> supplier) {
        try {
            return supplier.get();
        } catch (LibvirtException e) {
            throw LibvirtErrors.translate(call, name, e);
        }
    }
}
