package dev.computeagent.virt.fake;

import dev.computeagent.virt.AddressSource;
import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.DiskSpec;
import dev.computeagent.virt.DriverException;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.GuestAgentStatus;
import dev.computeagent.virt.HostResources;
import dev.computeagent.virt.HypervisorException;
import dev.computeagent.virt.HypervisorUnavailableException;
import dev.computeagent.virt.InstanceExistsException;
import dev.computeagent.virt.InstanceInfo;
import dev.computeagent.virt.InstanceMetadata;
import dev.computeagent.virt.InstanceNotFoundException;
import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.InterfaceStatus;
import dev.computeagent.virt.InvalidSpecException;
import dev.computeagent.virt.IpAddress;
import dev.computeagent.virt.LifecycleEvent;
import dev.computeagent.virt.LifecycleListener;
import dev.computeagent.virt.NicSpec;
import dev.computeagent.virt.PowerOperations;
import dev.computeagent.virt.PowerState;
import dev.computeagent.virt.RebootType;
import dev.computeagent.virt.RootDiskCopy;
import dev.computeagent.virt.Subscription;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * An in-memory {@link ComputeDriver} and {@link PowerOperations} with the same semantics as the libvirt driver
 * (both pass {@code ComputeDriverContract} and {@code PowerOperationsContract}), for tests of code that uses a
 * driver. A suspended instance keeps its run (its boot count and start time) for the resume that restores it.
 *
 * <p>Honest semantics: spawn checks that every disk file exists, refuses a known uuid and leaves
 * nothing behind when it fails; stop of a guest that ignores ACPI (see
 * {@link #setGuestHonoursAcpi}) really waits for the timeout before forcing it off; lifecycle
 * events are delivered in order on one driver thread, never on the caller's.
 *
 * <p>Test hooks: {@link #failNext} / {@link #failAlways} inject a typed failure into one call
 * kind; {@link #setConnected} simulates a lost hypervisor connection (every call then throws
 * {@link HypervisorUnavailableException} and lifecycle events are lost, as with libvirt);
 * {@link #guestShutdown} and {@link #guestCrash} simulate out-of-band changes made by the guest;
 * {@link #setGuestAgentRunning} whether a configured guest agent answers while the guest runs;
 * {@link #reportAddresses} plays a DHCP lease or the guest agent reporting a NIC's IP addresses;
 * {@link #setOperationDelay} slows every mutating call down (to observe concurrency);
 * {@link #callCount} counts calls.
 */
public final class FakeComputeDriver implements ComputeDriver, PowerOperations {

    private final Map<UUID, FakeInstance> instances = new ConcurrentHashMap<>();
    private final List<LifecycleListener> listeners = new CopyOnWriteArrayList<>();
    private final Map<FakeOperation, Deque<Supplier<? extends Throwable>>> failures =
            new EnumMap<>(FakeOperation.class);
    private final Map<FakeOperation, AtomicInteger> calls = new EnumMap<>(FakeOperation.class);
    private final ExecutorService eventThread = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "fake-driver-events");
        thread.setDaemon(true);
        return thread;
    });
    private final HostResources host;
    private volatile boolean connected = true;
    private final AtomicLong connects = new AtomicLong(1);
    private volatile boolean guestHonoursAcpi = true;
    private volatile boolean guestAgentRunning = true;
    private volatile boolean checkDiskFiles = true;
    private volatile Duration operationDelay = Duration.ZERO;
    private volatile boolean closed;

    /** A fake host with 8 vCPUs and 16 GiB of memory. */
    public FakeComputeDriver() {
        this(new HostResources("fake-host", 8, 16_384, "FAKE", "1.0.0", "qemu", "fake:///default"));
    }

    public FakeComputeDriver(HostResources host) {
        this.host = host;
        for (FakeOperation operation : FakeOperation.values()) {
            failures.put(operation, new ArrayDeque<>());
            calls.put(operation, new AtomicInteger());
        }
    }

    // ---- test hooks -------------------------------------------------------------------------

    /** The next call of {@code operation} throws {@code error} (one-shot, queued in order). */
    public FakeComputeDriver failNext(FakeOperation operation, DriverException error) {
        synchronized (failures) {
            failures.get(operation).addLast(() -> error);
        }
        return this;
    }

    /** Every call of {@code operation} throws a fresh error from {@code error} until {@link #clearFailures}. */
    public FakeComputeDriver failAlways(FakeOperation operation, Supplier<? extends DriverException> error) {
        synchronized (failures) {
            failures.get(operation).addLast(new Sticky(error));
        }
        return this;
    }

    /**
     * Every call of {@code operation} throws a fresh {@link Error} from {@code error} until
     * {@link #clearFailures}: a failure no driver contract describes (an {@link OutOfMemoryError}, a bug),
     * for tests of what the caller does then.
     */
    public FakeComputeDriver crashAlways(FakeOperation operation, Supplier<? extends Error> error) {
        synchronized (failures) {
            failures.get(operation).addLast(new Sticky(error));
        }
        return this;
    }

    /** Removes every injected failure. */
    public void clearFailures() {
        synchronized (failures) {
            failures.values().forEach(Deque::clear);
        }
    }

    /** Simulates losing ({@code false}) or regaining the hypervisor connection. */
    public synchronized void setConnected(boolean connected) {
        if (connected && !this.connected) {
            connects.incrementAndGet();
        }
        this.connected = connected;
    }

    /** Whether guests react to ACPI shutdown/reboot; when not, stop waits for its whole timeout. */
    public void setGuestHonoursAcpi(boolean honours) {
        this.guestHonoursAcpi = honours;
    }

    /** Whether the guest agent of instances spawned with one answers while they run (default true). */
    public void setGuestAgentRunning(boolean running) {
        this.guestAgentRunning = running;
    }

    /** Whether spawn insists that disk files exist (default true, as a real hypervisor does). */
    public void setCheckDiskFiles(boolean check) {
        this.checkDiskFiles = check;
    }

    /** Extra latency of every mutating call (spawn, start, stop, reboot, destroy). */
    public void setOperationDelay(Duration delay) {
        this.operationDelay = delay;
    }

    /** How often {@code operation} was called (failed calls included). */
    public int callCount(FakeOperation operation) {
        return calls.get(operation).get();
    }

    /** The guest powers itself off: emits SHUTDOWN then STOPPED, as libvirt does. */
    public void guestShutdown(UUID uuid) {
        FakeInstance instance = existing(uuid);
        synchronized (instance) {
            if (instance.state != PowerState.RUNNING) {
                throw new IllegalStateException("guest " + uuid + " is not running");
            }
            instance.powerOff();
        }
        emit(uuid, LifecycleEvent.Type.SHUTDOWN, PowerState.SHUTDOWN);
        emit(uuid, LifecycleEvent.Type.STOPPED, PowerState.SHUTDOWN);
    }

    /**
     * The guest crashes. Like libvirt with {@code on_crash=destroy}: emits CRASHED and the
     * instance is then shut off (power state SHUTDOWN), its definition kept.
     */
    public void guestCrash(UUID uuid) {
        FakeInstance instance = existing(uuid);
        synchronized (instance) {
            instance.powerOff();
        }
        emit(uuid, LifecycleEvent.Type.CRASHED, PowerState.CRASHED);
    }

    /**
     * {@code source} now reports {@code addresses} for the NIC with {@code mac} (replacing what it reported
     * before; an empty list withdraws them). Shown by {@link #interfaces} while the instance runs; a
     * guest agent report also names the interface inside the guest ({@code eth<index>}).
     */
    public void reportAddresses(UUID uuid, String mac, AddressSource source, List<IpAddress> addresses) {
        FakeInstance instance = existing(uuid);
        synchronized (instance) {
            instance.nic(mac).reported.put(source, List.copyOf(addresses));
        }
    }

    /** The spec an instance was spawned with, if it exists. */
    public Optional<InstanceSpec> specOf(UUID uuid) {
        return Optional.ofNullable(instances.get(uuid)).map(instance -> instance.spec);
    }

    /** How many times an instance was booted (spawn, start and reboots each count once). */
    public int bootCount(UUID uuid) {
        return existing(uuid).boots;
    }

    // ---- ComputeDriver ----------------------------------------------------------------------

    @Override
    public void spawn(InstanceSpec spec) {
        enter(FakeOperation.SPAWN, true);
        if (checkDiskFiles) {
            for (DiskSpec disk : spec.disks()) {
                if (!Files.isRegularFile(disk.path())) {
                    throw new InvalidSpecException("disk " + disk.device() + " does not exist: " + disk.path());
                }
            }
        }
        FakeInstance created = new FakeInstance(spec);
        if (instances.putIfAbsent(spec.uuid(), created) != null) {
            throw new InstanceExistsException("instance " + spec.uuid() + " exists already");
        }
        synchronized (created) {
            created.boot();
        }
        emit(spec.uuid(), LifecycleEvent.Type.DEFINED, PowerState.SHUTDOWN);
        emit(spec.uuid(), LifecycleEvent.Type.STARTED, PowerState.RUNNING);
    }

    @Override
    public void start(UUID uuid) {
        enter(FakeOperation.START, true);
        powerOn(uuid);
    }

    /** Start and resume: libvirt's start of a domain, which restores a saved run. */
    private void powerOn(UUID uuid) {
        FakeInstance instance = existing(uuid);
        PowerState now;
        synchronized (instance) {
            if (instance.state == PowerState.RUNNING || instance.state == PowerState.PAUSED) {
                return;
            }
            now = instance.startOrRestore();
        }
        emit(uuid, now == PowerState.PAUSED ? LifecycleEvent.Type.SUSPENDED : LifecycleEvent.Type.STARTED, now);
    }

    @Override
    public void stop(UUID uuid, Duration timeout) {
        enter(FakeOperation.STOP, true);
        FakeInstance instance = existing(uuid);
        boolean graceful;
        synchronized (instance) {
            if (instance.state != PowerState.RUNNING && instance.state != PowerState.PAUSED) {
                return;
            }
            graceful = guestHonoursAcpi && !timeout.isZero();
            if (!graceful && !timeout.isZero()) {
                waitFor(timeout);
            }
            instance.powerOff();
        }
        if (graceful) {
            emit(uuid, LifecycleEvent.Type.SHUTDOWN, PowerState.SHUTDOWN);
        }
        emit(uuid, LifecycleEvent.Type.STOPPED, PowerState.SHUTDOWN);
    }

    @Override
    public void reboot(UUID uuid, RebootType type, Duration softTimeout) {
        enter(FakeOperation.REBOOT, true);
        FakeInstance instance = existing(uuid);
        boolean started;
        boolean cycled;
        synchronized (instance) {
            started = instance.state != PowerState.RUNNING;
            // a soft reboot the guest honours is a power-off and a fresh start (as the libvirt driver does it)
            cycled = !started && type == RebootType.SOFT && guestHonoursAcpi;
            if (!started && type == RebootType.SOFT && !guestHonoursAcpi) {
                waitFor(softTimeout);
            }
            instance.boot();
        }
        if (cycled) {
            emit(uuid, LifecycleEvent.Type.SHUTDOWN, PowerState.SHUTDOWN);
            emit(uuid, LifecycleEvent.Type.STOPPED, PowerState.SHUTDOWN);
        }
        if (started || cycled) {
            emit(uuid, LifecycleEvent.Type.STARTED, PowerState.RUNNING);
        }
    }

    /**
     * Copies the bytes of the instance's first disk (no qcow2 flattening: the fake's disks are whatever
     * the test made), or writes a few bytes naming the instance when that file does not exist.
     */
    @Override
    public void finishInterruptedCopy(UUID uuid) {
        enter(FakeOperation.FINISH_INTERRUPTED_COPY, true);
        existing(uuid);
        // the fake's copy is one step: it never leaves an instance on an overlay
    }

    @Override
    public RootDiskCopy copyRootDisk(UUID uuid, Path target) {
        enter(FakeOperation.COPY_ROOT_DISK, false);
        FakeInstance instance = existing(uuid);
        RootDiskCopy.Consistency consistency;
        synchronized (instance) {
            consistency = instance.state != PowerState.RUNNING ? RootDiskCopy.Consistency.STOPPED
                    : instance.spec.guestAgent() && guestAgentRunning ? RootDiskCopy.Consistency.QUIESCED
                    : RootDiskCopy.Consistency.CRASH_CONSISTENT;
        }
        Optional<Path> root = instance.spec.disks().stream().filter(d -> d.media() == DiskSpec.Media.DISK)
                .map(DiskSpec::path).findFirst().filter(Files::isRegularFile);
        try {
            if (root.isPresent()) {
                Files.copy(root.get(), target, StandardCopyOption.REPLACE_EXISTING);
            } else {
                Files.writeString(target, "fake root disk of " + uuid);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new RootDiskCopy(target, consistency);
    }

    @Override
    public void destroy(UUID uuid) {
        enter(FakeOperation.DESTROY, true);
        FakeInstance removed = instances.remove(uuid);
        if (removed == null) {
            return;
        }
        boolean wasRunning;
        synchronized (removed) {
            wasRunning = removed.state == PowerState.RUNNING || removed.state == PowerState.PAUSED;
            removed.powerOff();
        }
        if (wasRunning) {
            emit(uuid, LifecycleEvent.Type.STOPPED, PowerState.SHUTDOWN);
        }
        emit(uuid, LifecycleEvent.Type.UNDEFINED, PowerState.NOSTATE);
    }

    @Override
    public InstanceInfo info(UUID uuid) {
        enter(FakeOperation.INFO, false);
        return existing(uuid).info();
    }

    @Override
    public GuestAgentStatus guestAgent(UUID uuid, Duration timeout) {
        enter(FakeOperation.GUEST_AGENT, false);
        FakeInstance instance = existing(uuid);
        synchronized (instance) {
            if (!instance.spec.guestAgent()) {
                return GuestAgentStatus.NOT_CONFIGURED;
            }
            return instance.state == PowerState.RUNNING && guestAgentRunning
                    ? GuestAgentStatus.RESPONSIVE : GuestAgentStatus.NOT_RESPONDING;
        }
    }

    @Override
    public List<InstanceInfo> listInstances() {
        enter(FakeOperation.LIST, false);
        List<InstanceInfo> result = new ArrayList<>();
        for (FakeInstance instance : instances.values()) {
            result.add(instance.info());
        }
        return result;
    }

    @Override
    public List<InterfaceStatus> interfaces(UUID uuid) {
        enter(FakeOperation.INTERFACES, false);
        return existing(uuid).interfaces();
    }

    @Override
    public void updateAnnotations(UUID uuid, Map<String, String> annotations) {
        enter(FakeOperation.UPDATE_ANNOTATIONS, false);
        FakeInstance instance = existing(uuid);
        synchronized (instance) {
            instance.metadata = instance.metadata.withAnnotations(annotations);
        }
    }

    // ---- PowerOperations --------------------------------------------------------------------

    @Override
    public void pause(UUID uuid) {
        enter(FakeOperation.PAUSE, true);
        FakeInstance instance = existing(uuid);
        synchronized (instance) {
            if (instance.state == PowerState.PAUSED) {
                return;
            }
            requireRunning(instance, "pause");
            instance.state = PowerState.PAUSED;
        }
        emit(uuid, LifecycleEvent.Type.SUSPENDED, PowerState.PAUSED);
    }

    @Override
    public void unpause(UUID uuid) {
        enter(FakeOperation.UNPAUSE, true);
        FakeInstance instance = existing(uuid);
        synchronized (instance) {
            if (instance.state == PowerState.RUNNING) {
                return;
            }
            if (instance.state != PowerState.PAUSED) {
                throw new HypervisorException("cannot unpause instance " + uuid + ": it is " + instance.state);
            }
            instance.state = PowerState.RUNNING;
        }
        emit(uuid, LifecycleEvent.Type.RESUMED, PowerState.RUNNING);
    }

    @Override
    public void suspend(UUID uuid) {
        enter(FakeOperation.SUSPEND, true);
        FakeInstance instance = existing(uuid);
        synchronized (instance) {
            if (instance.state != PowerState.RUNNING && instance.state != PowerState.PAUSED) {
                return;
            }
            instance.save();
        }
        emit(uuid, LifecycleEvent.Type.STOPPED, PowerState.SHUTDOWN);
    }

    @Override
    public void resume(UUID uuid) {
        enter(FakeOperation.RESUME, true);
        powerOn(uuid);
    }

    @Override
    public boolean hasSavedState(UUID uuid) {
        enter(FakeOperation.INFO, false);
        FakeInstance instance = existing(uuid);
        synchronized (instance) {
            return instance.saved != null;
        }
    }

    @Override
    public void redefine(UUID uuid, Flavor flavor, List<DiskSpec> disks, Map<String, String> annotations) {
        redefine(uuid, flavor, Optional.empty(), disks, annotations);
    }

    @Override
    public void redefine(UUID uuid, Flavor flavor, String imageId, List<DiskSpec> disks,
                         Map<String, String> annotations) {
        redefine(uuid, flavor, Optional.of(imageId), disks, annotations);
    }

    private void redefine(UUID uuid, Flavor flavor, Optional<String> imageId, List<DiskSpec> disks,
                          Map<String, String> annotations) {
        enter(FakeOperation.REDEFINE, true);
        FakeInstance instance = existing(uuid);
        if (checkDiskFiles) {
            for (DiskSpec disk : disks) {
                if (!Files.isRegularFile(disk.path())) {
                    throw new InvalidSpecException("disk " + disk.device() + " does not exist: " + disk.path());
                }
            }
        }
        synchronized (instance) {
            if (instance.state != PowerState.SHUTDOWN && instance.state != PowerState.CRASHED) {
                throw new InvalidSpecException("instance " + uuid + " must be shut off to be redefined");
            }
            InstanceMetadata m = instance.metadata;
            instance.metadata = new InstanceMetadata(m.name(), flavor, imageId.orElse(m.imageId()), m.ownerHost(),
                    m.userMetadata(),
                    annotations);
            InstanceSpec old = instance.spec;
            instance.spec = new InstanceSpec(uuid, instance.metadata, disks, old.nics(), old.consoleLog(), old.vnc(),
                    old.guestAgent(), old.securityGroups());
        }
        emit(uuid, LifecycleEvent.Type.DEFINED, PowerState.SHUTDOWN);
    }

    @Override
    public HostResources hostResources() {
        enter(FakeOperation.HOST_RESOURCES, false);
        return host;
    }

    @Override
    public Subscription subscribe(LifecycleListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    @Override
    public boolean isConnected() {
        return connected && !closed;
    }

    @Override
    public long connectionCount() {
        return connects.get();
    }

    @Override
    public void close() {
        closed = true;
        eventThread.shutdown();
    }

    // ---- internals --------------------------------------------------------------------------

    private void enter(FakeOperation operation, boolean mutating) {
        calls.get(operation).incrementAndGet();
        if (closed) {
            throw new HypervisorUnavailableException("driver is closed");
        }
        if (!connected) {
            throw new HypervisorUnavailableException("fake hypervisor connection is down");
        }
        Supplier<? extends Throwable> failure;
        synchronized (failures) {
            Deque<Supplier<? extends Throwable>> queue = failures.get(operation);
            failure = queue.peekFirst();
            if (failure != null && !(failure instanceof Sticky)) {
                queue.removeFirst();
            }
        }
        if (failure != null) {
            Throwable thrown = failure.get();
            if (thrown instanceof Error error) {
                throw error;
            }
            throw (RuntimeException) thrown;
        }
        if (mutating && !operationDelay.isZero()) {
            waitFor(operationDelay);
        }
    }

    /**
     * A live migration brought {@code uuid} here and it runs: reported as libvirt reports its resume at the end of an
     * incoming migration ({@link LifecycleEvent.Type#ARRIVED}). Returns once the listeners heard it: on real hosts the
     * destination resumes the guest some 200 ms before the source's migration call returns, time enough for them.
     */
    public void announceArrival(UUID uuid) {
        requireRunning(existing(uuid), "announce the arrival of");
        Future<?> heard = emit(uuid, LifecycleEvent.Type.ARRIVED, PowerState.RUNNING);
        try {
            heard.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HypervisorUnavailableException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the arrival of " + uuid + " was not heard", e);
        }
    }

    private static void requireRunning(FakeInstance instance, String operation) {
        if (instance.state != PowerState.RUNNING) {
            throw new HypervisorException("cannot " + operation + " instance " + instance.spec.uuid() + ": it is "
                    + instance.state);
        }
    }

    private FakeInstance existing(UUID uuid) {
        FakeInstance instance = instances.get(uuid);
        if (instance == null) {
            throw new InstanceNotFoundException("no instance " + uuid);
        }
        return instance;
    }

    /** @return done once every listener heard it (at once when it is not delivered) */
    private Future<?> emit(UUID uuid, LifecycleEvent.Type type, PowerState state) {
        LifecycleEvent event = new LifecycleEvent(uuid, type, state, Instant.now());
        // like libvirt: what happens while the connection is down is never delivered
        if (eventThread.isShutdown() || !connected) {
            return CompletableFuture.completedFuture(null);
        }
        return eventThread.submit(() -> {
            for (LifecycleListener listener : listeners) {
                try {
                    listener.onEvent(event);
                } catch (RuntimeException e) {
                    System.getLogger(FakeComputeDriver.class.getName())
                            .log(System.Logger.Level.WARNING, "lifecycle listener failed", e);
                }
            }
        });
    }

    private static void waitFor(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HypervisorUnavailableException("interrupted", e);
        }
    }

    /** A failure that stays until cleared. */
    private record Sticky(Supplier<? extends Throwable> error) implements Supplier<Throwable> {
        @Override
        public Throwable get() {
            return error.get();
        }
    }

    /** One NIC of a fake instance: its spec, its MAC (chosen at spawn when the spec has none), its reports. */
    private static final class FakeNic {
        final NicSpec spec;
        final String mac;
        final Map<AddressSource, List<IpAddress>> reported = new EnumMap<>(AddressSource.class);

        FakeNic(NicSpec spec) {
            this.spec = spec;
            // libvirt's choice for a NIC without a MAC: QEMU's OUI and three random octets
            this.mac = spec.mac().orElseGet(() -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                return String.format("52:54:00:%02x:%02x:%02x", random.nextInt(256), random.nextInt(256),
                        random.nextInt(256));
            });
        }

        InterfaceStatus status(int index, boolean running) {
            Set<IpAddress> addresses = new LinkedHashSet<>();
            Set<AddressSource> sources = EnumSet.noneOf(AddressSource.class);
            if (running) {
                reported.forEach((source, list) -> {
                    if (!list.isEmpty() && (source != AddressSource.LEASE || spec.type() == NicSpec.Type.NETWORK)) {
                        addresses.addAll(list);
                        sources.add(source);
                    }
                });
            }
            Optional<String> guestName = sources.contains(AddressSource.GUEST_AGENT)
                    ? Optional.of("eth" + index) : Optional.empty();
            return new InterfaceStatus(mac, spec.type(), spec.source(), Optional.of(spec.model()), guestName,
                    List.copyOf(addresses), sources);
        }
    }

    /** What a managed save keeps of a run. */
    private record SavedRun(PowerState state, Instant startedAt) {
    }

    /** One instance; guarded by its own monitor. */
    private static final class FakeInstance {
        InstanceSpec spec;
        final List<FakeNic> nics;
        InstanceMetadata metadata;
        PowerState state = PowerState.SHUTDOWN;
        Instant startedAt;
        long cpuTimeNs;
        int boots;
        /** The run a suspend saved, until a start restores it. */
        SavedRun saved;

        FakeInstance(InstanceSpec spec) {
            this.spec = spec;
            this.nics = spec.nics().stream().map(FakeNic::new).toList();
            this.metadata = spec.metadata();
        }

        FakeNic nic(String mac) {
            return nics.stream().filter(nic -> nic.mac.equalsIgnoreCase(mac)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("instance " + spec.uuid() + " has no NIC " + mac));
        }

        synchronized List<InterfaceStatus> interfaces() {
            List<InterfaceStatus> result = new ArrayList<>();
            for (int i = 0; i < nics.size(); i++) {
                result.add(nics.get(i).status(i, state == PowerState.RUNNING));
            }
            return result;
        }

        void boot() {
            state = PowerState.RUNNING;
            startedAt = Instant.now();
            cpuTimeNs = 0;
            boots++;
        }

        /** Saves the run (and whether it was paused) and powers off, as a managed save does. */
        void save() {
            saved = new SavedRun(state, startedAt);
            state = PowerState.SHUTDOWN;
        }

        /** Restores a saved run as it was (a restore is no boot), else boots; returns the new state. */
        PowerState startOrRestore() {
            if (saved == null) {
                boot();
            } else {
                state = saved.state();
                startedAt = saved.startedAt();
                saved = null;
            }
            return state;
        }

        void powerOff() {
            state = PowerState.SHUTDOWN;
            startedAt = null;
            cpuTimeNs = 0;
        }

        synchronized InstanceInfo info() {
            long cpu = startedAt == null ? cpuTimeNs : Duration.between(startedAt, Instant.now()).toNanos() / 100;
            return new InstanceInfo(spec.uuid(), state, cpu, spec.flavor().memoryMb() * 1024,
                    spec.flavor().vcpus(), metadata);
        }
    }
}
