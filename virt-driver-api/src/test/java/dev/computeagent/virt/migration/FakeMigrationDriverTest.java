package dev.computeagent.virt.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.computeagent.virt.DiskSpec;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.InstanceExistsException;
import dev.computeagent.virt.InstanceMetadata;
import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.PowerState;
import dev.computeagent.virt.fake.FakeComputeDriver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FakeMigrationDriverTest {

    private final FakeComputeDriver a = new FakeComputeDriver();
    private final FakeComputeDriver b = new FakeComputeDriver();
    private final FakeMigrationDriver.Network network = new FakeMigrationDriver.Network()
            .register("qemu+tcp://a/system", a).register("qemu+tcp://b/system", b);
    private final FakeMigrationDriver fromA = new FakeMigrationDriver(a, network);
    private final FakeMigrationDriver toB = new FakeMigrationDriver(b, network);
    private final UUID uuid = UUID.randomUUID();

    @AfterEach
    void close() {
        a.close();
        b.close();
    }

    @Test
    void liveMigrationMovesTheRunningInstanceWithItsAnnotations() {
        a.setCheckDiskFiles(false);
        b.setCheckDiskFiles(false);
        a.spawn(spec());
        a.updateAnnotations(uuid, Map.of("state", "ACTIVE"));

        fromA.migrateLive(uuid, MigrationRequest.to("qemu+tcp://b/system").build(), MigrationListener.NONE);

        assertThat(a.listInstances()).isEmpty();
        assertThat(b.info(uuid).powerState()).isEqualTo(PowerState.RUNNING);
        assertThat(b.info(uuid).metadata().annotations()).containsEntry("state", "ACTIVE");
        assertThat(toB.lastIncomingMigration(uuid)).isPresent();
        assertThat(fromA.requests()).hasSize(1);
    }

    @Test
    void failuresLeaveTheInstanceOnTheSource() {
        a.setCheckDiskFiles(false);
        a.spawn(spec());
        fromA.failNext(new MigrationException(MigrationException.Step.MONITOR, MigrationException.Reason.TIMED_OUT,
                "injected", null));

        assertThatThrownBy(() -> fromA.migrateLive(uuid, MigrationRequest.to("qemu+tcp://b/system").build(),
                MigrationListener.NONE)).isInstanceOfSatisfying(MigrationException.class,
                e -> assertThat(e.reason()).isEqualTo(MigrationException.Reason.TIMED_OUT));
        assertThatThrownBy(() -> fromA.migrateLive(uuid, MigrationRequest.to("qemu+tcp://nowhere/system").build(),
                MigrationListener.NONE)).isInstanceOfSatisfying(MigrationException.class,
                e -> assertThat(e.reason()).isEqualTo(MigrationException.Reason.DESTINATION_UNREACHABLE));
        // b checks disk files and the spec's disk does not exist: the destination refuses
        assertThatThrownBy(() -> fromA.migrateLive(uuid, MigrationRequest.to("qemu+tcp://b/system").build(),
                MigrationListener.NONE)).isInstanceOfSatisfying(MigrationException.class,
                e -> assertThat(e.reason()).isEqualTo(MigrationException.Reason.DESTINATION_REFUSED));

        assertThat(a.info(uuid).powerState()).isEqualTo(PowerState.RUNNING);
        assertThat(b.listInstances()).isEmpty();
    }

    @Test
    void coldMigrationDefinesAStoppedInstanceOnceOnly() {
        a.setCheckDiskFiles(false);
        b.setCheckDiskFiles(false);
        a.spawn(spec());
        a.stop(uuid, Duration.ZERO);

        PortableInstance exported = fromA.exportInstance(uuid);
        InstanceSpec spec = spec();
        InstanceSpec rendered = new InstanceSpec(uuid, exported.metadata(), spec.disks(), exported.nics(),
                spec.consoleLog(), false);
        toB.defineInstance(rendered);

        assertThat(b.info(uuid).powerState()).isEqualTo(PowerState.SHUTDOWN);
        assertThat(exported.metadata()).isEqualTo(a.info(uuid).metadata());
        assertThatThrownBy(() -> toB.defineInstance(rendered)).isInstanceOf(InstanceExistsException.class);
    }

    @Test
    void stoppedMigrationMovesOnlyAStoppedInstanceAndItArrivesStopped() {
        a.setCheckDiskFiles(false);
        b.setCheckDiskFiles(false);
        a.spawn(spec());
        MigrationRequest request = MigrationRequest.to("qemu+tcp://b/system").storage(StorageMode.BLOCK_INCREMENTAL)
                .build();

        assertThatThrownBy(() -> fromA.migrateStopped(uuid, request, MigrationListener.NONE))
                .isInstanceOfSatisfying(MigrationException.class, e -> {
                    assertThat(e.reason()).isEqualTo(MigrationException.Reason.NOT_MIGRATABLE);
                    assertThat(e.sourceStillRunning()).isFalse();
                });
        a.stop(uuid, Duration.ZERO);
        fromA.migrateStopped(uuid, request, MigrationListener.NONE);

        assertThat(a.listInstances()).isEmpty();
        assertThat(b.info(uuid).powerState()).isEqualTo(PowerState.SHUTDOWN);
        assertThat(fromA.requests()).containsExactly(request, request);
    }

    private InstanceSpec spec() {
        InstanceMetadata metadata = new InstanceMetadata("vm", new Flavor(1, 64, 0, 0), "img", "a", Map.of(), Map.of());
        return new InstanceSpec(uuid, metadata, List.of(DiskSpec.qcow2Root(Path.of("/nonexistent/disk"))), List.of(),
                Path.of("/nonexistent/console.log"), false);
    }
}
