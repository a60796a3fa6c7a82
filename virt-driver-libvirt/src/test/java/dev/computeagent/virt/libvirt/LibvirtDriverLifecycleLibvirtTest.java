package dev.computeagent.virt.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.GuestAgentStatus;
import dev.computeagent.virt.InstanceInfo;
import dev.computeagent.virt.InstanceMetadata;
import dev.computeagent.virt.InstanceNotFoundException;
import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.LifecycleEvent;
import dev.computeagent.virt.PowerState;
import dev.computeagent.virt.RebootType;
import dev.computeagent.virt.libvirt.testing.Virsh;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * One real guest (tiny boot sector on a qcow2 overlay made by qemu-img) through its whole life
 * on libvirtd + QEMU: the boot marker in the serial log counts the boots. The guest ignores ACPI and
 * runs no guest agent behind the agent channel it is given, so graceful stop and soft reboot must fall
 * back to force at their timeouts.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LibvirtDriverLifecycleLibvirtTest {

    private static final Duration BOOT = Duration.ofSeconds(20);

    private GuestDisks disks;
    private LibvirtComputeDriver driver;
    private final UUID uuid = UUID.randomUUID();
    private final List<LifecycleEvent> events = new CopyOnWriteArrayList<>();

    @BeforeAll
    void connect() {
        LibvirtTestSupport.requireLibvirtAndQemuImg();
        disks = new GuestDisks();
        driver = LibvirtComputeDriver.connect(LibvirtTestSupport.settings());
        driver.subscribe(event -> {
            if (event.uuid().equals(uuid)) {
                events.add(event);
            }
        });
    }

    @AfterAll
    void cleanUp() {
        if (driver != null) {
            driver.destroy(uuid);
            driver.close();
        }
        if (disks != null) {
            disks.close();
        }
    }

    @Test
    @Order(1)
    void spawnBootsTheGuestFromItsOverlayAndLibvirtSeesItRunning() {
        InstanceMetadata metadata = new InstanceMetadata("lifecycle", new Flavor(1, 64, 1, 0), "tiny", "test-host",
                Map.of(), Map.of());
        InstanceSpec spec = new InstanceSpec(uuid, metadata, List.of(disks.overlay(uuid)), List.of(),
                disks.consoleLog(uuid), false, true);

        driver.spawn(spec);

        await().atMost(BOOT).until(() -> disks.bootCount(uuid) == 1);
        InstanceInfo info = driver.info(uuid);
        assertThat(info.powerState()).isEqualTo(PowerState.RUNNING);
        assertThat(info.metadata()).isEqualTo(metadata);
        assertThat(Virsh.domstate(uuid)).isEqualTo("running");
        await().atMost(BOOT).until(() -> driver.info(uuid).cpuTimeNs() > 0);
        await().atMost(Duration.ofSeconds(5)).until(() -> hasEvent(LifecycleEvent.Type.STARTED));
    }

    @Test
    @Order(2)
    void aGuestAgentChannelWithNoAgentBehindItDoesNotRespond() {
        assertThat(Virsh.run("dumpxml", "instance-" + uuid)).contains("name='org.qemu.guest_agent.0'");
        long started = System.nanoTime();

        assertThat(driver.guestAgent(uuid, Duration.ofSeconds(1))).isEqualTo(GuestAgentStatus.NOT_RESPONDING);

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    @Order(3)
    void gracefulStopOfAGuestIgnoringAcpiForcesItOffAtTheTimeout() {
        long started = System.nanoTime();

        driver.stop(uuid, Duration.ofMillis(1500));

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(1500));
        assertThat(driver.info(uuid).powerState()).isEqualTo(PowerState.SHUTDOWN);
        assertThat(Virsh.domstate(uuid)).isEqualTo("shut off");
        await().atMost(Duration.ofSeconds(5)).until(() -> hasEvent(LifecycleEvent.Type.STOPPED));
    }

    @Test
    @Order(4)
    void startBootsTheStoppedGuestAgain() {
        driver.start(uuid);

        await().atMost(BOOT).until(() -> disks.bootCount(uuid) == 2);
        assertThat(driver.info(uuid).powerState()).isEqualTo(PowerState.RUNNING);
    }

    @Test
    @Order(5)
    void softRebootOfAGuestIgnoringAcpiFallsBackToAHardReset() {
        long started = System.nanoTime();

        driver.reboot(uuid, RebootType.SOFT, Duration.ofSeconds(1));

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        await().atMost(BOOT).until(() -> disks.bootCount(uuid) == 3);
        assertThat(driver.info(uuid).powerState()).isEqualTo(PowerState.RUNNING);
    }

    @Test
    @Order(6)
    void hardRebootResetsTheGuestAtOnce() {
        driver.reboot(uuid, RebootType.HARD, Duration.ZERO);

        await().atMost(BOOT).until(() -> disks.bootCount(uuid) == 4);
        assertThat(driver.info(uuid).powerState()).isEqualTo(PowerState.RUNNING);
    }

    @Test
    @Order(7)
    void destroyRemovesTheDomainFromLibvirtButKeepsTheDisk() {
        driver.destroy(uuid);

        assertThat(Virsh.domstate(uuid)).isEmpty();
        assertThatThrownBy(() -> driver.info(uuid)).isInstanceOf(InstanceNotFoundException.class);
        assertThat(driver.listInstances()).extracting(InstanceInfo::uuid).doesNotContain(uuid);
        assertThat(disks.instanceDir(uuid).resolve("disk")).exists();
        await().atMost(Duration.ofSeconds(5)).until(() -> hasEvent(LifecycleEvent.Type.UNDEFINED));
    }

    private boolean hasEvent(LifecycleEvent.Type type) {
        return events.stream().anyMatch(e -> e.type() == type);
    }
}
