package dev.computeagent.virt.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.DiskSpec;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.GuestAgentStatus;
import dev.computeagent.virt.HostResources;
import dev.computeagent.virt.InstanceExistsException;
import dev.computeagent.virt.InstanceInfo;
import dev.computeagent.virt.InstanceMetadata;
import dev.computeagent.virt.InstanceNotFoundException;
import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.InterfaceStatus;
import dev.computeagent.virt.InvalidSpecException;
import dev.computeagent.virt.LifecycleEvent;
import dev.computeagent.virt.NicSpec;
import dev.computeagent.virt.PowerState;
import dev.computeagent.virt.RebootType;
import dev.computeagent.virt.Subscription;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link ComputeDriver} must show, run against the in-memory fake and the
 * libvirt driver alike. A subclass supplies the driver (one per class is fine: every test
 * cleans up the instances it created) and bootable disks.
 */
public abstract class ComputeDriverContract {

    private final List<UUID> created = new ArrayList<>();

    /** The driver under test; connected. */
    protected abstract ComputeDriver driver();

    /** A new, existing, bootable root disk for the instance (the caller's, removed by {@link #deleteDisks}). */
    protected abstract DiskSpec createRootDisk(UUID uuid);

    /** Where the instance's serial console goes; the directory exists. */
    protected abstract Path consoleLog(UUID uuid);

    /** Removes what {@link #createRootDisk} made for the instance. */
    protected abstract void deleteDisks(UUID uuid);

    /** How long lifecycle events may take to arrive. */
    protected Duration eventTimeout() {
        return Duration.ofSeconds(10);
    }

    @AfterEach
    void destroyCreatedInstances() {
        for (UUID uuid : created) {
            driver().destroy(uuid);
            deleteDisks(uuid);
        }
        created.clear();
    }

    protected final InstanceSpec newSpec(String name) {
        UUID uuid = UUID.randomUUID();
        created.add(uuid);
        return specWithDisk(uuid, name, createRootDisk(uuid));
    }

    protected final InstanceSpec specWithDisk(UUID uuid, String name, DiskSpec disk) {
        return specWithDisk(uuid, name, disk, List.of());
    }

    private InstanceSpec specWithDisk(UUID uuid, String name, DiskSpec disk, List<NicSpec> nics) {
        InstanceMetadata metadata = new InstanceMetadata(name, new Flavor(1, 64, 1, 0), "image-1", "contract-host",
                Map.of("role", "contract <test> & \"quotes\""), Map.of("request_id", "req-1"));
        return new InstanceSpec(uuid, metadata, List.of(disk), nics, consoleLog(uuid), false);
    }

    @Test
    void spawnedInstanceIsRunningAndCarriesItsMetadata() {
        InstanceSpec spec = newSpec("contract spawn <&>");

        driver().spawn(spec);

        InstanceInfo info = driver().info(spec.uuid());
        assertThat(info.uuid()).isEqualTo(spec.uuid());
        assertThat(info.powerState()).isEqualTo(PowerState.RUNNING);
        assertThat(info.vcpus()).isEqualTo(1);
        assertThat(info.memoryKb()).isEqualTo(64 * 1024);
        assertThat(info.metadata()).isEqualTo(spec.metadata());
        assertThat(driver().listInstances()).extracting(InstanceInfo::uuid).contains(spec.uuid());
    }

    @Test
    void spawnRunningAnswersWhatInfoReadsBackRightAfter() {
        InstanceSpec spec = newSpec("contract spawn running");

        InstanceInfo answered = driver().spawnRunning(spec);

        InstanceInfo read = driver().info(spec.uuid());
        assertThat(answered.uuid()).isEqualTo(spec.uuid());
        assertThat(answered.powerState()).isEqualTo(PowerState.RUNNING).isEqualTo(read.powerState());
        assertThat(answered.vcpus()).isEqualTo(read.vcpus());
        assertThat(answered.memoryKb()).isEqualTo(read.memoryKb());
        assertThat(answered.metadata()).isEqualTo(spec.metadata()).isEqualTo(read.metadata());
    }

    @Test
    void spawnOfAnExistingUuidFailsAndLeavesTheExistingInstanceRunning() {
        InstanceSpec spec = newSpec("original");
        driver().spawn(spec);
        InstanceSpec duplicate = specWithDisk(spec.uuid(), "impostor", spec.disks().get(0));

        assertThatThrownBy(() -> driver().spawn(duplicate)).isInstanceOf(InstanceExistsException.class)
                .matches(e -> !((InstanceExistsException) e).retriable());

        InstanceInfo info = driver().info(spec.uuid());
        assertThat(info.powerState()).isEqualTo(PowerState.RUNNING);
        assertThat(info.metadata().name()).isEqualTo("original");
    }

    @Test
    void redefineGivesAShutOffInstanceItsNewSizeAndRefusesARunningOne() {
        InstanceSpec spec = newSpec("resized");
        driver().spawn(spec);
        Flavor larger = new Flavor(2, 96, 2, 0);
        Map<String, String> annotations = Map.of("state", "RESIZED");

        assertThatThrownBy(() -> driver().redefine(spec.uuid(), larger, spec.disks(), annotations))
                .isInstanceOf(InvalidSpecException.class);
        assertThat(driver().info(spec.uuid()).metadata()).isEqualTo(spec.metadata());

        driver().stop(spec.uuid(), Duration.ZERO);
        driver().redefine(spec.uuid(), larger, spec.disks(), annotations);
        InstanceInfo stopped = driver().info(spec.uuid());
        assertThat(stopped.powerState()).isEqualTo(PowerState.SHUTDOWN);
        assertThat(stopped.metadata()).isEqualTo(new InstanceMetadata(spec.metadata().name(), larger,
                spec.metadata().imageId(), spec.metadata().ownerHost(), spec.metadata().userMetadata(), annotations));

        driver().start(spec.uuid());
        InstanceInfo running = driver().info(spec.uuid());
        assertThat(running.vcpus()).isEqualTo(2);
        assertThat(running.memoryKb()).isEqualTo(96 * 1024);
    }

    @Test
    void redefineWithAnImageIdGivesTheInstanceThatImageAndKeepsTheRestOfItsMetadata() {
        InstanceSpec spec = newSpec("rebuilt");
        driver().spawn(spec);
        driver().stop(spec.uuid(), Duration.ZERO);
        Map<String, String> annotations = Map.of("state", "ACTIVE", "rebuild_request", "b1");

        driver().redefine(spec.uuid(), spec.metadata().flavor(), "another-image", spec.disks(), annotations);

        assertThat(driver().info(spec.uuid()).metadata()).isEqualTo(new InstanceMetadata(spec.metadata().name(),
                spec.metadata().flavor(), "another-image", spec.metadata().ownerHost(), spec.metadata().userMetadata(),
                annotations));
        driver().start(spec.uuid());
        assertThat(driver().info(spec.uuid()).powerState()).isEqualTo(PowerState.RUNNING);
    }

    @Test
    void spawnWithAMissingDiskFailsWithInvalidSpecAndLeavesNothing() {
        UUID uuid = UUID.randomUUID();
        created.add(uuid);
        Path missing = consoleLog(uuid).resolveSibling("missing-" + uuid + ".qcow2");
        InstanceSpec spec = specWithDisk(uuid, "no disk", DiskSpec.qcow2Root(missing));

        assertThatThrownBy(() -> driver().spawn(spec)).isInstanceOf(InvalidSpecException.class);

        assertThatThrownBy(() -> driver().info(uuid)).isInstanceOf(InstanceNotFoundException.class);
        assertThat(driver().listInstances()).extracting(InstanceInfo::uuid).doesNotContain(uuid);
    }

    @Test
    void forcedStopKeepsTheDefinitionAndStartBootsItAgain() {
        InstanceSpec spec = newSpec("stop-start");
        driver().spawn(spec);

        driver().stop(spec.uuid(), Duration.ZERO);
        assertThat(driver().info(spec.uuid()).powerState()).isEqualTo(PowerState.SHUTDOWN);
        assertThat(driver().listInstances()).extracting(InstanceInfo::uuid).contains(spec.uuid());

        driver().stop(spec.uuid(), Duration.ZERO);
        assertThat(driver().info(spec.uuid()).powerState()).isEqualTo(PowerState.SHUTDOWN);

        driver().start(spec.uuid());
        assertThat(driver().info(spec.uuid()).powerState()).isEqualTo(PowerState.RUNNING);
        driver().start(spec.uuid());
        assertThat(driver().info(spec.uuid()).powerState()).isEqualTo(PowerState.RUNNING);
    }

    @Test
    void hardRebootKeepsTheInstanceRunningAndRebootOfAStoppedInstanceStartsIt() {
        InstanceSpec spec = newSpec("reboot");
        driver().spawn(spec);

        driver().reboot(spec.uuid(), RebootType.HARD, Duration.ZERO);
        assertThat(driver().info(spec.uuid()).powerState()).isEqualTo(PowerState.RUNNING);

        driver().stop(spec.uuid(), Duration.ZERO);
        driver().reboot(spec.uuid(), RebootType.SOFT, Duration.ofSeconds(1));
        assertThat(driver().info(spec.uuid()).powerState()).isEqualTo(PowerState.RUNNING);
    }

    @Test
    void aGuestAgentIsNotConfiguredUnlessTheSpecAsksForItAndAStoppedOneDoesNotRespond() {
        InstanceSpec plain = newSpec("no agent");
        driver().spawn(plain);
        InstanceSpec withAgent = withGuestAgent(newSpec("agent"));
        driver().spawn(withAgent);

        assertThat(driver().guestAgent(plain.uuid(), Duration.ofSeconds(1))).isEqualTo(GuestAgentStatus.NOT_CONFIGURED);
        driver().stop(withAgent.uuid(), Duration.ZERO);
        assertThat(driver().guestAgent(withAgent.uuid(), Duration.ofSeconds(1)))
                .isEqualTo(GuestAgentStatus.NOT_RESPONDING);
        assertThatThrownBy(() -> driver().guestAgent(UUID.randomUUID(), Duration.ofSeconds(1)))
                .isInstanceOf(InstanceNotFoundException.class);
    }

    private static InstanceSpec withGuestAgent(InstanceSpec spec) {
        return new InstanceSpec(spec.uuid(), spec.metadata(), spec.disks(), spec.nics(), spec.consoleLog(), spec.vnc(),
                true);
    }

    @Test
    void destroyRemovesTheInstanceAndIsIdempotent() {
        InstanceSpec spec = newSpec("destroy");
        driver().spawn(spec);

        driver().destroy(spec.uuid());

        assertThatThrownBy(() -> driver().info(spec.uuid())).isInstanceOf(InstanceNotFoundException.class);
        assertThat(driver().listInstances()).extracting(InstanceInfo::uuid).doesNotContain(spec.uuid());
        driver().destroy(spec.uuid());
        driver().destroy(UUID.randomUUID());
    }

    @Test
    void everyCallOnAnUnknownInstanceThrowsInstanceNotFound() {
        UUID unknown = UUID.randomUUID();

        assertThatThrownBy(() -> driver().info(unknown)).isInstanceOf(InstanceNotFoundException.class);
        assertThatThrownBy(() -> driver().start(unknown)).isInstanceOf(InstanceNotFoundException.class);
        assertThatThrownBy(() -> driver().stop(unknown, Duration.ZERO)).isInstanceOf(InstanceNotFoundException.class);
        assertThatThrownBy(() -> driver().reboot(unknown, RebootType.HARD, Duration.ZERO))
                .isInstanceOf(InstanceNotFoundException.class);
        assertThatThrownBy(() -> driver().updateAnnotations(unknown, Map.of("a", "b")))
                .isInstanceOf(InstanceNotFoundException.class);
        assertThatThrownBy(() -> driver().interfaces(unknown)).isInstanceOf(InstanceNotFoundException.class);
    }

    @Test
    void interfacesAreTheSpecNicsInOrderWithTheirMacsRunningOrStopped() {
        UUID uuid = UUID.randomUUID();
        created.add(uuid);
        // user-mode NICs need no network on the host, and get no lease: no source knows an address
        NicSpec given = new NicSpec(NicSpec.Type.USER, Optional.empty(), Optional.of("52:54:00:C0:FF:EE"), "virtio");
        NicSpec chosen = new NicSpec(NicSpec.Type.USER, Optional.empty(), Optional.empty(), "e1000");
        driver().spawn(specWithDisk(uuid, "nics", createRootDisk(uuid), List.of(given, chosen)));

        List<InterfaceStatus> running = driver().interfaces(uuid);

        assertThat(running).hasSize(2);
        assertThat(running.get(0).mac()).isEqualTo("52:54:00:c0:ff:ee");
        assertThat(running.get(0).type()).isEqualTo(NicSpec.Type.USER);
        assertThat(running.get(0).source()).isEmpty();
        assertThat(running.get(0).model()).contains("virtio");
        assertThat(running.get(1).mac()).as("chosen by the hypervisor").matches("[0-9a-f]{2}(:[0-9a-f]{2}){5}")
                .isNotEqualTo(running.get(0).mac());
        assertThat(running.get(1).model()).contains("e1000");
        assertThat(running).allSatisfy(nic -> {
            assertThat(nic.addresses()).as("no lease, no guest agent: nothing known, and no failure").isEmpty();
            assertThat(nic.addressSources()).isEmpty();
            assertThat(nic.guestName()).isEmpty();
        });

        driver().stop(uuid, Duration.ZERO);
        List<InterfaceStatus> stopped = driver().interfaces(uuid);

        assertThat(stopped).extracting(InterfaceStatus::mac).as("the chosen MAC is kept")
                .containsExactly(running.get(0).mac(), running.get(1).mac());
        assertThat(stopped).allSatisfy(nic -> assertThat(nic.addresses()).isEmpty());
    }

    @Test
    void anInstanceWithoutNicsHasNoInterfaces() {
        InstanceSpec spec = newSpec("no nics");
        driver().spawn(spec);

        assertThat(driver().interfaces(spec.uuid())).isEmpty();
    }

    @Test
    void annotationsAreReplacedAndSurviveAStopStartCycle() {
        InstanceSpec spec = newSpec("annotations");
        driver().spawn(spec);
        Map<String, String> annotations = Map.of("state", "ACTIVE", "note", "</agent:instance> & <x/>");

        driver().updateAnnotations(spec.uuid(), annotations);
        assertThat(driver().info(spec.uuid()).metadata().annotations()).isEqualTo(annotations);

        driver().stop(spec.uuid(), Duration.ZERO);
        // what was written while running is also in the persistent definition
        assertThat(driver().info(spec.uuid()).metadata().annotations()).isEqualTo(annotations);
        driver().updateAnnotations(spec.uuid(), Map.of("state", "STOPPED"));
        driver().start(spec.uuid());
        InstanceMetadata metadata = driver().info(spec.uuid()).metadata();
        assertThat(metadata.annotations()).isEqualTo(Map.of("state", "STOPPED"));
        assertThat(metadata.name()).isEqualTo("annotations");
        assertThat(metadata.userMetadata()).isEqualTo(spec.metadata().userMetadata());
    }

    @Test
    void annotationsOfAnInstanceJustReadAreStoredWithTheRestOfItsMetadataAndSurviveAStopStartCycle() {
        InstanceSpec spec = newSpec("annotations of a read");
        driver().spawn(spec);
        Map<String, String> annotations = Map.of("state", "ACTIVE", "volume:vol-1", "vdb file local");

        driver().updateAnnotations(driver().info(spec.uuid()), annotations);
        driver().stop(spec.uuid(), Duration.ZERO);
        driver().start(spec.uuid());

        InstanceMetadata metadata = driver().info(spec.uuid()).metadata();
        assertThat(metadata).isEqualTo(spec.metadata().withAnnotations(annotations));
        assertThatThrownBy(() -> driver().updateAnnotations(new InstanceInfo(UUID.randomUUID(), PowerState.SHUTDOWN,
                0, 0, 1, spec.metadata()), annotations)).isInstanceOf(InstanceNotFoundException.class);
    }

    @Test
    void lifecycleEventsReportStartAndStopUntilTheSubscriptionIsClosed() {
        InstanceSpec spec = newSpec("events");
        List<LifecycleEvent> events = new CopyOnWriteArrayList<>();
        Subscription subscription = driver().subscribe(event -> {
            if (event.uuid().equals(spec.uuid())) {
                events.add(event);
            }
        });
        try {
            driver().spawn(spec);
            await().atMost(eventTimeout()).until(() -> hasEvent(events, LifecycleEvent.Type.STARTED));

            driver().stop(spec.uuid(), Duration.ZERO);
            await().atMost(eventTimeout()).until(() -> hasEvent(events, LifecycleEvent.Type.STOPPED));
            LifecycleEvent stopped = events.stream().filter(e -> e.type() == LifecycleEvent.Type.STOPPED)
                    .findFirst().orElseThrow();
            assertThat(stopped.powerState()).isEqualTo(PowerState.SHUTDOWN);
            assertThat(events.indexOf(stopped)).isGreaterThan(indexOf(events, LifecycleEvent.Type.STARTED));
        } finally {
            subscription.close();
            subscription.close();
        }
        int seen = events.size();
        driver().start(spec.uuid());
        // a second listener proves that start's event has been delivered before we count
        List<LifecycleEvent> witness = new CopyOnWriteArrayList<>();
        try (Subscription second = driver().subscribe(witness::add)) {
            driver().stop(spec.uuid(), Duration.ZERO);
            await().atMost(eventTimeout()).until(() -> witness.stream()
                    .anyMatch(e -> e.uuid().equals(spec.uuid()) && e.type() == LifecycleEvent.Type.STOPPED));
        }
        assertThat(events).hasSize(seen);
    }

    @Test
    void hostResourcesDescribeTheHost() {
        HostResources host = driver().hostResources();

        assertThat(host.vcpus()).isPositive();
        assertThat(host.memoryMb()).isPositive();
        assertThat(host.hostname()).isNotBlank();
        assertThat(host.hypervisorType()).isNotBlank();
        assertThat(host.hypervisorVersion()).matches("\\d+\\.\\d+\\.\\d+");
        assertThat(host.virtType()).isIn("kvm", "qemu");
        assertThat(driver().isConnected()).isTrue();
        long connections = driver().connectionCount();
        assertThat(connections).as("a connected driver has connected").isPositive();
        driver().listInstances();
        assertThat(driver().connectionCount()).as("no reconnect without an outage").isEqualTo(connections);
    }

    private static boolean hasEvent(List<LifecycleEvent> events, LifecycleEvent.Type type) {
        return indexOf(events, type) >= 0;
    }

    private static int indexOf(List<LifecycleEvent> events, LifecycleEvent.Type type) {
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).type() == type) {
                return i;
            }
        }
        return -1;
    }
}
