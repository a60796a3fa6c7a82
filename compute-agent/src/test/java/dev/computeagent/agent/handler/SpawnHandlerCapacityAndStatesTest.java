package dev.computeagent.agent.handler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.tuple;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.configdrive.ConfigDriveBuilder;
import dev.computeagent.agent.configdrive.ConfigDriveException;
import dev.computeagent.agent.failure.CommandFailedException;
import dev.computeagent.agent.failure.ErrorMapper;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.agent.message.SpawnArgs;
import dev.computeagent.agent.provision.HostCapacity;
import dev.computeagent.agent.state.Annotations;
import dev.computeagent.agent.state.InstanceFiles;
import dev.computeagent.agent.state.InstanceRegistry;
import dev.computeagent.agent.state.InstanceView;
import dev.computeagent.agent.testing.ConfigDrives;
import dev.computeagent.agent.testing.FakeImageCache;
import dev.computeagent.agent.testing.TestCommands;
import dev.computeagent.agent.testing.TestSpawns;
import dev.computeagent.hostio.ProcessRunner;
import dev.computeagent.image.ImageNotFoundException;
import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.DiskSpec;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.HypervisorException;
import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.PowerState;
import dev.computeagent.virt.fake.FakeComputeDriver;
import dev.computeagent.virt.fake.FakeOperation;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spawn's admission (INSUFFICIENT_RESOURCES before any work), its BUILDING visibility while the
 * domain boots, and the states it leaves for failed recoveries and repeated spawns of ERROR instances.
 */
class SpawnHandlerCapacityAndStatesTest {

    @TempDir
    Path stateDir;

    /** The fake host has 8 vCPUs and 16,384 MiB of memory. */
    private final FakeComputeDriver fake = new FakeComputeDriver();
    private final FakeImageCache images = new FakeImageCache();
    private final AtomicReference<Optional<InstanceView>> seenWhileBooting = new AtomicReference<>();
    private final AtomicReference<RuntimeException> bootFailure = new AtomicReference<>();
    private HostCapacity capacity;
    private InstanceRegistry registry;
    private InstanceFiles files;
    private SpawnHandler spawn;

    @BeforeEach
    void setUp() {
        registry = new InstanceRegistry("h1");
        files = new InstanceFiles(stateDir, "test-host");
        ComputeDriver driver = observingBoot(fake);
        capacity = new HostCapacity(driver, files, registry);
        spawn = TestSpawns.handler(driver, images, registry, files, ConfigDrives.builder(), ConfigDrives.OPTIONS,
                capacity, "h1", new SimpleMeterRegistry());
    }

    @AfterEach
    void tearDown() {
        fake.close();
    }

    /**
     * A driver whose spawn reports the guest not running yet, so that the spawn waits for its boot; records
     * what the registry shows at the boot wait's first look at the power state.
     */
    private ComputeDriver observingBoot(FakeComputeDriver target) {
        return (ComputeDriver) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ComputeDriver.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("spawnRunning")) {
                        return target.spawnRunning((InstanceSpec) args[0]).withPowerState(PowerState.NOSTATE);
                    }
                    if ((method.getName().equals("info") || method.getName().equals("updateAnnotations"))
                            && fake.callCount(FakeOperation.SPAWN) > 0
                            && seenWhileBooting.get() == null && registry.find((UUID) args[0]).isPresent()) {
                        seenWhileBooting.set(registry.find((UUID) args[0]));
                        if (bootFailure.get() != null) {
                            throw bootFailure.get();
                        }
                    }
                    try {
                        return method.invoke(target, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static Command<SpawnArgs> spawnOf(UUID uuid, long memoryMb, long rootGb) {
        return TestCommands.spawn("r-" + uuid, uuid, TestCommands.spawnArgs("vm", new Flavor(1, memoryMb, rootGb, 0), "img",
                List.of(), Map.of(), Optional.empty()));
    }

    /**
     * The spawn is refused before any work, retriable exactly when the instance would fit the host were
     * the others gone.
     */
    private void assertInsufficient(Command<SpawnArgs> command, String messagePart, boolean retriable) {
        assertThatThrownBy(() -> spawn.handle(command)).isInstanceOfSatisfying(CommandFailedException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INSUFFICIENT_RESOURCES);
            assertThat(e.retriable()).isEqualTo(retriable);
        }).hasMessageContaining(messagePart);
        assertThat(files.exists(command.instanceUuid())).isFalse();
        assertThat(fake.listInstances()).noneMatch(i -> i.uuid().equals(command.instanceUuid()));
        assertThat(images.overlaysCreated()).isEqualTo(fake.listInstances().size());
    }

    @Test
    void memoryAboveTheHostIsInsufficientBeforeAnyWork() {
        assertInsufficient(spawnOf(UUID.randomUUID(), 16_385, 1), "MiB of memory", false);
        assertThat(fake.callCount(FakeOperation.SPAWN)).isZero();
    }

    @Test
    void memoryHeldByTheAgentsInstancesCountsAndVcpusAreSharedUpToTheHostsCount() {
        spawn.handle(spawnOf(UUID.randomUUID(), 12_000, 1));
        assertInsufficient(spawnOf(UUID.randomUUID(), 4_385, 1), "12000 MiB of it held", true);
        Command<SpawnArgs> tooManyVcpus = TestCommands.spawn("r-wide", UUID.randomUUID(), TestCommands.spawnArgs("vm3",
                new Flavor(9, 128, 1, 0), "img", List.of(), Map.of(), Optional.empty()));
        assertInsufficient(tooManyVcpus, "instance needs 9 vCPUs; the host has 8", false);
        Command<SpawnArgs> fits = TestCommands.spawn("r-fit", UUID.randomUUID(), TestCommands.spawnArgs("vm2",
                new Flavor(8, 4_384, 1, 0), "img", List.of(), Map.of(), Optional.empty()));
        assertThat(spawn.handle(fits).payload()).containsEntry("state", "ACTIVE");
    }

    @Test
    void aSpawnInFlightHoldsItsMemoryUntilItEnds() {
        UUID first = UUID.randomUUID();
        AtomicReference<Throwable> second = new AtomicReference<>();
        // the second spawn arrives while the first one's image downloads, before its domain exists
        images.onFetch("slow", () -> second.set(catchThrowable(
                () -> spawn.handle(spawnOf(UUID.randomUUID(), 12_000, 1)))));
        spawn.handle(TestCommands.spawn("r-first", first, TestCommands.spawnArgs("vm", new Flavor(1, 12_000, 1, 0),
                "slow", List.of(), Map.of(), Optional.empty())));

        assertThat(second.get()).isInstanceOfSatisfying(CommandFailedException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.INSUFFICIENT_RESOURCES))
                .hasMessageContaining("12000 MiB of it held by this agent's instances and those arriving");
        assertThat(registry.find(first).orElseThrow().state()).isEqualTo(InstanceState.ACTIVE);
        assertInsufficient(spawnOf(UUID.randomUUID(), 4_385, 1), "12000 MiB of it held", true);
    }

    @Test
    void aFailedSpawnReleasesWhatItHeld() {
        images.failFetch("gone", () -> new ImageNotFoundException("no image gone"));
        Command<SpawnArgs> failing = TestCommands.spawn("r-gone", UUID.randomUUID(), TestCommands.spawnArgs("vm",
                new Flavor(1, 12_000, 1, 0), "gone", List.of(), Map.of(), Optional.empty()));
        assertThatThrownBy(() -> spawn.handle(failing)).isInstanceOf(ImageNotFoundException.class);

        assertThat(spawn.handle(spawnOf(UUID.randomUUID(), 12_000, 1)).payload()).containsEntry("state", "ACTIVE");
    }

    @Test
    void rootDiskAboveTheFreeSpaceOfTheStateDirectoryIsInsufficient() {
        long freeGib = files.usableSpace() >> 30;
        assertInsufficient(spawnOf(UUID.randomUUID(), 128, freeGib + 1), "GiB of disk (root " + (freeGib + 1),
                ((freeGib + 1) << 30) <= files.totalSpace());
        assertThat(fake.callCount(FakeOperation.SPAWN)).isZero();
    }

    @Test
    void rootGbZeroHoldsTheImagesVirtualSizeAndRefusesAnImageTheHostCannotHold() {
        long free = files.usableSpace();
        images.virtualSize("huge", free + (2L << 30));
        Command<SpawnArgs> huge = TestCommands.spawn("r-huge", UUID.randomUUID(), TestCommands.spawnArgs("vm",
                new Flavor(1, 128, 0, 0), "huge", List.of(), Map.of(), Optional.empty()));

        assertInsufficient(huge, "GiB of disk (root " + ((free + (2L << 30)) >> 30),
                free + (2L << 30) <= files.totalSpace());
        assertThat(fake.callCount(FakeOperation.SPAWN)).isZero();
        assertThat(spawn.handle(spawnOf(UUID.randomUUID(), 128, 0)).payload()).as("a small image still fits")
                .containsEntry("state", "ACTIVE");
    }

    @Test
    void ephemeralDiskCountsWithTheRootDiskAgainstTheFreeSpace() {
        long freeGib = files.usableSpace() >> 30;
        Command<SpawnArgs> command = TestCommands.spawn("r-eph", UUID.randomUUID(), TestCommands.spawnArgs("vm",
                new Flavor(1, 128, 1, freeGib), "img", List.of(), Map.of(), Optional.empty()));
        assertInsufficient(command, "ephemeral " + freeGib, ((freeGib + 1) << 30) <= files.totalSpace());
        assertThat(fake.callCount(FakeOperation.SPAWN)).isZero();
    }

    @Test
    void aFlavorWithAnEphemeralDiskGetsItAsVdbAfterTheRootDisk() {
        UUID uuid = UUID.randomUUID();
        spawn.handle(TestCommands.spawn("r-eph", uuid, TestCommands.spawnArgs("vm", new Flavor(1, 128, 1, 2), "img",
                List.of(), Map.of(), Optional.empty())));
        assertThat(fake.specOf(uuid).orElseThrow().disks()).extracting(DiskSpec::device, DiskSpec::path)
                .containsExactly(tuple("vda", files.disk(uuid)), tuple("vdb", files.ephemeralDisk(uuid)));
        assertThat(files.ephemeralDisk(uuid)).hasContent("empty qcow2 disk of " + (2L << 30) + " bytes");
    }

    @Test
    void aConfigDriveThatCannotBeBuiltFailsTheSpawnRetriablyAndLeavesNothing() {
        ComputeDriver driver = observingBoot(fake);
        // genisoimage cannot finish in no time: the build fails like a stuck or missing genisoimage
        SpawnHandler stuck = TestSpawns.handler(driver, images, registry, files,
                new ConfigDriveBuilder(new ProcessRunner(), Duration.ZERO), ConfigDrives.OPTIONS, capacity, "h1",
                new SimpleMeterRegistry());
        UUID uuid = UUID.randomUUID();
        Command<SpawnArgs> command = TestCommands.spawn("r-cd", uuid, TestCommands.spawnArgs("vm", new Flavor(1, 128, 1, 1),
                "img", List.of(), Map.of(), Optional.of("#cloud-config".getBytes(StandardCharsets.UTF_8))));

        assertThatThrownBy(() -> stuck.handle(command)).isInstanceOf(ConfigDriveException.class)
                .satisfies(e -> assertThat(ErrorMapper.toError(e).retriable()).isTrue())
                .satisfies(e -> assertThat(ErrorMapper.toError(e).code()).isEqualTo(ErrorCode.INTERNAL_ERROR));
        assertThat(files.exists(uuid)).as("overlay and ephemeral disk removed with the directory").isFalse();
        assertThat(fake.specOf(uuid)).isEmpty();
        assertThat(spawn.handle(spawnOf(UUID.randomUUID(), 16_000, 1)).payload()).as("nothing stays reserved")
                .containsEntry("state", "ACTIVE");
    }

    @Test
    void aFlavorWithoutEphemeralDiskHasOnlyTheRootDisk() {
        UUID uuid = UUID.randomUUID();
        spawn.handle(spawnOf(uuid, 128, 1));
        assertThat(fake.specOf(uuid).orElseThrow().disks()).extracting(DiskSpec::device).containsExactly("vda");
        assertThat(files.ephemeralDisk(uuid)).doesNotExist();
    }

    @Test
    void aSpawningInstanceIsInTheRegistryAsBuildingOnceItsDomainExists() {
        UUID uuid = UUID.randomUUID();
        spawn.handle(spawnOf(uuid, 128, 1));
        assertThat(seenWhileBooting.get()).isPresent();
        assertThat(seenWhileBooting.get().orElseThrow().state()).isEqualTo(InstanceState.BUILDING);
        assertThat(registry.find(uuid).orElseThrow().state()).isEqualTo(InstanceState.ACTIVE);
    }

    @Test
    void aSpawnFailingWhileBootingIsForgottenByTheRegistry() {
        UUID uuid = UUID.randomUUID();
        bootFailure.set(new HypervisorException("lost the guest"));
        assertThatThrownBy(() -> spawn.handle(spawnOf(uuid, 128, 1))).isInstanceOf(HypervisorException.class);
        assertThat(seenWhileBooting.get().orElseThrow().state()).isEqualTo(InstanceState.BUILDING);
        assertThat(registry.find(uuid)).isEmpty();
        assertThat(fake.listInstances()).isEmpty();
    }

    @Test
    void aRecoveryThatCannotStartTheGuestLeavesErrorWithLastError() {
        UUID uuid = UUID.randomUUID();
        spawn.handle(spawnOf(uuid, 128, 1));
        fake.stop(uuid, Duration.ZERO);
        fake.updateAnnotations(uuid, Annotations.with(fake.info(uuid).metadata().annotations(),
                InstanceState.BUILDING, null));
        fake.failNext(FakeOperation.START, new HypervisorException("no memory for qemu"));
        assertThatThrownBy(() -> spawn.handle(spawnOf(uuid, 128, 1))).isInstanceOf(HypervisorException.class);
        assertThat(fake.info(uuid).metadata().annotations()).containsEntry(Annotations.STATE, "ERROR")
                .hasEntrySatisfying(Annotations.LAST_ERROR, e -> assertThat(e).contains("no memory for qemu"));
        assertThat(registry.find(uuid).orElseThrow().state()).isEqualTo(InstanceState.ERROR);
    }

    @Test
    void aRepeatedSpawnOfAnInstanceInErrorFails() {
        UUID uuid = UUID.randomUUID();
        spawn.handle(spawnOf(uuid, 128, 1));
        fake.updateAnnotations(uuid, Annotations.with(fake.info(uuid).metadata().annotations(),
                InstanceState.ERROR, "boot failed"));
        assertThatThrownBy(() -> spawn.handle(spawnOf(uuid, 128, 1)))
                .isInstanceOfSatisfying(CommandFailedException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INSTANCE_EXISTS);
                    assertThat(e.retriable()).isFalse();
                }).hasMessageContaining("ERROR").hasMessageContaining("boot failed");
        assertThat(fake.callCount(FakeOperation.SPAWN)).isEqualTo(1);
    }
}
