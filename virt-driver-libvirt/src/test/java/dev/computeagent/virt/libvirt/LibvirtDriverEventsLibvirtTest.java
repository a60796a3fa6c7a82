package dev.computeagent.virt.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.computeagent.virt.DiskSpec;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.InstanceMetadata;
import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.LifecycleEvent;
import dev.computeagent.virt.PowerState;
import dev.computeagent.virt.testing.Prerequisites;
import dev.computeagent.virt.testing.TinyGuestImage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Lifecycle events from the real libvirtd: guest-initiated shutdown, and events across a reconnect. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LibvirtDriverEventsLibvirtTest {

    private static final Duration EVENT = Duration.ofSeconds(20);

    private GuestDisks disks;
    private LibvirtComputeDriver driver;
    private final List<LifecycleEvent> events = new CopyOnWriteArrayList<>();
    private final List<UUID> spawned = new CopyOnWriteArrayList<>();

    @BeforeAll
    void connect() {
        LibvirtTestSupport.requireLibvirtAndQemuImg();
        disks = new GuestDisks();
        driver = LibvirtComputeDriver.connect(LibvirtTestSupport.settings());
        driver.subscribe(events::add);
    }

    @AfterEach
    void destroySpawned() {
        spawned.forEach(driver::destroy);
        spawned.clear();
    }

    @AfterAll
    void cleanUp() {
        if (driver != null) {
            driver.close();
        }
        if (disks != null) {
            disks.close();
        }
    }

    @Test
    void guestThatPowersItselfOffIsReportedAsShutdownThenStopped() {
        UUID uuid = UUID.randomUUID();

        driver.spawn(spec(uuid, disks.selfStoppingOverlay(uuid)));

        await().atMost(EVENT).until(() -> typesOf(uuid).contains(LifecycleEvent.Type.STOPPED));
        assertThat(typesOf(uuid)).containsSubsequence(LifecycleEvent.Type.STARTED, LifecycleEvent.Type.SHUTDOWN,
                LifecycleEvent.Type.STOPPED);
        assertThat(driver.info(uuid).powerState()).isEqualTo(PowerState.SHUTDOWN);
        assertThat(disks.count(uuid, TinyGuestImage.POWER_OFF_MARKER)).isEqualTo(1);
    }

    @Test
    void eventsKeepFlowingAfterLibvirtdDropsTheConnection() {
        Prerequisites.require("virt-admin", Prerequisites.commandSucceeds("virt-admin", "--version"),
                "apt-get install libvirt-clients");
        UUID uuid = UUID.randomUUID();
        driver.spawn(spec(uuid, disks.overlay(uuid)));
        await().atMost(EVENT).until(() -> typesOf(uuid).contains(LifecycleEvent.Type.STARTED));
        long connectsBefore = driver.connectionManager().connectCount();

        assertThat(LibvirtClients.disconnectOwnClients()).isPositive();

        await().atMost(EVENT).until(() -> driver.connectionManager().connectCount() > connectsBefore
                && driver.isConnected());
        driver.stop(uuid, Duration.ZERO);
        await().atMost(EVENT).until(() -> typesOf(uuid).contains(LifecycleEvent.Type.STOPPED));
        driver.start(uuid);
        await().atMost(EVENT).until(() -> typesOf(uuid).stream()
                .filter(t -> t == LifecycleEvent.Type.STARTED).count() == 2);
    }

    private InstanceSpec spec(UUID uuid, DiskSpec disk) {
        spawned.add(uuid);
        InstanceMetadata metadata = new InstanceMetadata("events", new Flavor(1, 64, 1, 0), "tiny", "test-host",
                Map.of(), Map.of());
        return new InstanceSpec(uuid, metadata, List.of(disk), List.of(), disks.consoleLog(uuid), false);
    }

    private List<LifecycleEvent.Type> typesOf(UUID uuid) {
        return events.stream().filter(e -> e.uuid().equals(uuid)).map(LifecycleEvent::type).toList();
    }
}
