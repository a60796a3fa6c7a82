package dev.computeagent.virt.fake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.computeagent.virt.AddressSource;
import dev.computeagent.virt.DiskSpec;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.GuestAgentStatus;
import dev.computeagent.virt.HypervisorException;
import dev.computeagent.virt.HypervisorUnavailableException;
import dev.computeagent.virt.InstanceMetadata;
import dev.computeagent.virt.InstanceNotFoundException;
import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.InterfaceStatus;
import dev.computeagent.virt.IpAddress;
import dev.computeagent.virt.LifecycleEvent;
import dev.computeagent.virt.NicSpec;
import dev.computeagent.virt.PowerState;
import dev.computeagent.virt.RebootType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fake's test hooks behave as documented. */
class FakeComputeDriverTest {

    @TempDir
    Path dir;
    private final FakeComputeDriver driver = new FakeComputeDriver();

    @AfterEach
    void close() {
        driver.close();
    }

    private InstanceSpec spec() throws IOException {
        return spec(List.of());
    }

    private InstanceSpec spec(List<NicSpec> nics) throws IOException {
        UUID uuid = UUID.randomUUID();
        Path disk = Files.writeString(dir.resolve(uuid + ".qcow2"), "disk");
        InstanceMetadata metadata = new InstanceMetadata("vm", new Flavor(2, 128, 1, 0), "img", "host",
                Map.of(), Map.of());
        return new InstanceSpec(uuid, metadata, List.of(DiskSpec.qcow2Root(disk)), nics,
                dir.resolve(uuid + ".log"), false);
    }

    @Test
    void aRunningGuestsAgentAnswersUntilTheTestSaysItDoesNot() throws IOException {
        InstanceSpec plain = spec();
        InstanceSpec spec = new InstanceSpec(plain.uuid(), plain.metadata(), plain.disks(), plain.nics(),
                plain.consoleLog(), false, true);
        driver.spawn(spec);

        assertThat(driver.guestAgent(spec.uuid(), Duration.ofSeconds(1))).isEqualTo(GuestAgentStatus.RESPONSIVE);
        driver.setGuestAgentRunning(false);
        assertThat(driver.guestAgent(spec.uuid(), Duration.ofSeconds(1))).isEqualTo(GuestAgentStatus.NOT_RESPONDING);
    }

    @Test
    void reportedAddressesAreMergedPerNicAndShownOnlyWhileRunning() throws IOException {
        NicSpec network = new NicSpec(NicSpec.Type.NETWORK, Optional.of("net"),
                Optional.of("52:54:00:00:00:01"), "virtio");
        NicSpec user = new NicSpec(NicSpec.Type.USER, Optional.empty(),
                Optional.of("52:54:00:00:00:02"), "virtio");
        InstanceSpec spec = spec(List.of(network, user));
        driver.spawn(spec);
        IpAddress leased = new IpAddress("10.0.0.5", 24);
        IpAddress linkLocal = new IpAddress("fe80::5054:ff:fe00:1", 64);
        driver.reportAddresses(spec.uuid(), "52:54:00:00:00:01", AddressSource.LEASE, List.of(leased));
        driver.reportAddresses(spec.uuid(), "52:54:00:00:00:01", AddressSource.GUEST_AGENT, List.of(leased, linkLocal));
        // a user-mode NIC is on no network of the hypervisor: no lease can name it
        driver.reportAddresses(spec.uuid(), "52:54:00:00:00:02", AddressSource.LEASE, List.of(leased));

        List<InterfaceStatus> nics = driver.interfaces(spec.uuid());

        assertThat(nics.get(0).addresses()).containsExactly(leased, linkLocal);
        assertThat(nics.get(0).addressSources()).containsExactlyInAnyOrder(AddressSource.LEASE,
                AddressSource.GUEST_AGENT);
        assertThat(nics.get(0).guestName()).contains("eth0");
        assertThat(nics.get(1).addresses()).isEmpty();
        driver.stop(spec.uuid(), Duration.ZERO);
        assertThat(driver.interfaces(spec.uuid())).allSatisfy(nic -> assertThat(nic.addresses()).isEmpty());
        assertThatThrownBy(() -> driver.reportAddresses(spec.uuid(), "52:54:00:00:00:09", AddressSource.LEASE,
                List.of(leased))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void injectedSpawnFailureIsThrownOnceAndLeavesNothing() throws IOException {
        InstanceSpec spec = spec();
        driver.failNext(FakeOperation.SPAWN, new HypervisorException("boom"));

        assertThatThrownBy(() -> driver.spawn(spec)).isInstanceOf(HypervisorException.class).hasMessage("boom");
        assertThatThrownBy(() -> driver.info(spec.uuid())).isInstanceOf(InstanceNotFoundException.class);

        driver.spawn(spec);
        assertThat(driver.info(spec.uuid()).powerState()).isEqualTo(PowerState.RUNNING);
        assertThat(driver.callCount(FakeOperation.SPAWN)).isEqualTo(2);
    }

    @Test
    void stickyFailureRepeatsUntilCleared() throws IOException {
        InstanceSpec spec = spec();
        driver.spawn(spec);
        driver.failAlways(FakeOperation.STOP, () -> new HypervisorException("stuck"));

        assertThatThrownBy(() -> driver.stop(spec.uuid(), Duration.ZERO)).isInstanceOf(HypervisorException.class);
        assertThatThrownBy(() -> driver.stop(spec.uuid(), Duration.ZERO)).isInstanceOf(HypervisorException.class);
        driver.clearFailures();
        driver.stop(spec.uuid(), Duration.ZERO);
        assertThat(driver.info(spec.uuid()).powerState()).isEqualTo(PowerState.SHUTDOWN);
    }

    @Test
    void lostConnectionMakesEveryCallRetriablyUnavailable() throws IOException {
        InstanceSpec spec = spec();
        driver.setConnected(false);

        assertThat(driver.isConnected()).isFalse();
        assertThatThrownBy(() -> driver.spawn(spec)).isInstanceOf(HypervisorUnavailableException.class)
                .matches(e -> ((HypervisorUnavailableException) e).retriable());
        assertThatThrownBy(driver::listInstances).isInstanceOf(HypervisorUnavailableException.class);

        driver.setConnected(true);
        driver.spawn(spec);
        assertThat(driver.listInstances()).hasSize(1);
    }

    @Test
    void guestInitiatedShutdownEmitsShutdownThenStopped() throws IOException {
        InstanceSpec spec = spec();
        List<LifecycleEvent> events = new CopyOnWriteArrayList<>();
        driver.subscribe(events::add);
        driver.spawn(spec);

        driver.guestShutdown(spec.uuid());

        await().atMost(Duration.ofSeconds(5)).until(() -> events.size() == 4);
        assertThat(events).extracting(LifecycleEvent::type).containsExactly(LifecycleEvent.Type.DEFINED,
                LifecycleEvent.Type.STARTED, LifecycleEvent.Type.SHUTDOWN, LifecycleEvent.Type.STOPPED);
        assertThat(driver.info(spec.uuid()).powerState()).isEqualTo(PowerState.SHUTDOWN);
    }

    @Test
    void stopOfAGuestIgnoringAcpiWaitsForTheTimeoutThenForcesIt() throws IOException {
        InstanceSpec spec = spec();
        driver.spawn(spec);
        driver.setGuestHonoursAcpi(false);

        long started = System.nanoTime();
        driver.stop(spec.uuid(), Duration.ofMillis(300));

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(driver.info(spec.uuid()).powerState()).isEqualTo(PowerState.SHUTDOWN);
    }

    @Test
    void rebootCountsABootAndAListenerFailureDoesNotStopDelivery() throws IOException {
        InstanceSpec spec = spec();
        List<LifecycleEvent> events = new CopyOnWriteArrayList<>();
        driver.subscribe(event -> {
            throw new IllegalStateException("listener bug");
        });
        driver.subscribe(events::add);
        driver.spawn(spec);

        driver.reboot(spec.uuid(), RebootType.HARD, Duration.ZERO);

        assertThat(driver.bootCount(spec.uuid())).isEqualTo(2);
        await().atMost(Duration.ofSeconds(5)).until(() -> events.size() == 2);
        assertThat(driver.specOf(spec.uuid())).contains(spec);
    }

    @Test
    void guestCrashLeavesTheInstanceShutOffAndReportsCrashed() throws IOException {
        InstanceSpec spec = spec();
        List<LifecycleEvent> events = new CopyOnWriteArrayList<>();
        driver.subscribe(events::add);
        driver.spawn(spec);

        driver.guestCrash(spec.uuid());

        await().atMost(Duration.ofSeconds(5)).until(() -> events.size() == 3);
        assertThat(events.get(2).type()).isEqualTo(LifecycleEvent.Type.CRASHED);
        assertThat(driver.info(spec.uuid()).powerState()).isEqualTo(PowerState.SHUTDOWN);
    }

    @Test
    void honouredSoftRebootPowerCyclesTheGuest() throws IOException {
        InstanceSpec spec = spec();
        List<LifecycleEvent> events = new CopyOnWriteArrayList<>();
        driver.subscribe(events::add);
        driver.spawn(spec);

        driver.reboot(spec.uuid(), RebootType.SOFT, Duration.ofSeconds(5));

        await().atMost(Duration.ofSeconds(5)).until(() -> events.size() == 5);
        assertThat(events.subList(2, 5)).extracting(LifecycleEvent::type).containsExactly(
                LifecycleEvent.Type.SHUTDOWN, LifecycleEvent.Type.STOPPED, LifecycleEvent.Type.STARTED);
        assertThat(driver.bootCount(spec.uuid())).isEqualTo(2);
    }
}
