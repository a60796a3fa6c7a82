package dev.computeagent.virt.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.computeagent.virt.DiskSpec;
import dev.computeagent.virt.DriverException;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.GuestProcessUser;
import dev.computeagent.virt.HypervisorException;
import dev.computeagent.virt.HypervisorUnavailableException;
import dev.computeagent.virt.InstanceExistsException;
import dev.computeagent.virt.InstanceInfo;
import dev.computeagent.virt.InstanceMetadata;
import dev.computeagent.virt.InstanceNotFoundException;
import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.LifecycleEvent;
import dev.computeagent.virt.RebootType;
import dev.computeagent.virt.libvirt.designer.VirtType;
import dev.computeagent.virt.libvirt.domain.DacBaseLabel;
import dev.computeagent.virt.libvirt.testing.Virsh;
import dev.computeagent.virt.testing.TinyGuestImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Failure paths against the real libvirtd: unreachable daemon, broken disks, foreign domains. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LibvirtDriverFailureLibvirtTest {

    private GuestDisks disks;
    private LibvirtComputeDriver driver;

    @BeforeAll
    void connect() {
        LibvirtTestSupport.requireLibvirtAndQemuImg();
        disks = new GuestDisks();
        driver = LibvirtComputeDriver.connect(LibvirtTestSupport.settings());
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
    void unreachableLibvirtdStillGivesADriverWhoseCallsFailRetriably() {
        Path noSocket = disks.root().resolve("no-such-libvirt-sock");
        LibvirtDriverSettings settings = LibvirtDriverSettings
                .defaults("qemu+unix:///system?socket=" + noSocket, VirtType.QEMU)
                .withReconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(200));

        try (LibvirtComputeDriver unreachable = LibvirtComputeDriver.connect(settings)) {
            assertThat(unreachable.isConnected()).isFalse();
            assertThatThrownBy(unreachable::listInstances).isInstanceOf(HypervisorUnavailableException.class)
                    .matches(e -> ((DriverException) e).retriable());
            assertThatThrownBy(() -> unreachable.info(UUID.randomUUID()))
                    .isInstanceOf(HypervisorUnavailableException.class);
            assertThatThrownBy(unreachable::hostResources).isInstanceOf(HypervisorUnavailableException.class);
            assertThat(unreachable.connectionManager().connectCount()).isZero();
        }
    }

    @Test
    void connectsToAnyLibvirtUriIncludingTheTestDriver() {
        try (LibvirtComputeDriver test = LibvirtComputeDriver.connect(
                LibvirtDriverSettings.defaults("test:///default", VirtType.QEMU))) {
            assertThat(test.isConnected()).isTrue();
            assertThat(test.hostResources().hypervisorType()).isEqualToIgnoringCase("test");
            // test:///default ships a domain named "test" without our metadata: not ours
            assertThat(test.listInstances()).isEmpty();
        }
    }

    @Test
    void spawnOnABrokenBackingChainFailsAsTheHostsStorageAndLeavesNoDomain() throws IOException {
        UUID uuid = UUID.randomUUID();
        Path base = TinyGuestImage.write(disks.instanceDir(uuid).resolve("base.raw"));
        DiskSpec overlay = disks.overlayOn(base, uuid);
        Files.delete(base);

        // the spec names an existing disk; its backing file vanished on this host: not the request's fault
        assertThatThrownBy(() -> driver.spawn(spec(uuid, overlay))).isExactlyInstanceOf(HypervisorException.class);

        assertThat(Virsh.domstate(uuid)).isEmpty();
        assertThatThrownBy(() -> driver.info(uuid)).isInstanceOf(InstanceNotFoundException.class);
    }

    @Test
    void aDiskTheGuestUserCannotReachIsTheHostsFailureNotAnInvalidSpec() throws IOException {
        GuestProcessUser guests = driver.guestProcessUser().orElseThrow();
        assertThat(DacBaseLabel.fromCapabilities(Virsh.run("capabilities"), VirtType.QEMU.xmlName()))
                .as("what libvirt says to virsh").contains(new DacBaseLabel(guests.uid(), guests.gid()));
        assertThat(guests.uid()).as("QEMU does not run as root here").isNotZero();
        UUID uuid = UUID.randomUUID();
        InstanceSpec spec = spec(uuid, disks.overlayOn(disks.base(), uuid));
        // the disk exists, but QEMU's user may not search the directory it is in
        Files.setPosixFilePermissions(spec.consoleLog().getParent(), PosixFilePermissions.fromString("rwx------"));

        assertThatThrownBy(() -> driver.spawn(spec)).isExactlyInstanceOf(HypervisorException.class)
                .hasMessageContaining("Permission denied");

        assertThat(Virsh.domstate(uuid)).isEmpty();
    }

    @Test
    void foreignDomainsAreInvisibleAndUntouched() throws IOException {
        UUID lookalike = UUID.randomUUID();
        UUID other = UUID.randomUUID();
        Path xml = disks.root().resolve("foreign.xml");
        List<LifecycleEvent> events = new CopyOnWriteArrayList<>();
        driver.subscribe(events::add);
        // one named like ours but without the agent metadata, one with any other name
        Files.writeString(xml, Virsh.foreignDomainXml("instance-" + lookalike, lookalike, disks.base()));
        Virsh.run("define", xml.toString());
        Files.writeString(xml, Virsh.foreignDomainXml("foreign-" + other, other, disks.base()));
        Virsh.run("define", xml.toString());
        UUID ours = UUID.randomUUID();
        try {
            Virsh.run("start", lookalike.toString());

            for (UUID foreign : List.of(lookalike, other)) {
                assertThatThrownBy(() -> driver.info(foreign)).isInstanceOf(InstanceNotFoundException.class);
                assertThatThrownBy(() -> driver.stop(foreign, Duration.ZERO))
                        .isInstanceOf(InstanceNotFoundException.class);
                assertThatThrownBy(() -> driver.reboot(foreign, RebootType.HARD, Duration.ZERO))
                        .isInstanceOf(InstanceNotFoundException.class);
                assertThatThrownBy(() -> driver.updateAnnotations(foreign, Map.of("a", "b")))
                        .isInstanceOf(InstanceNotFoundException.class);
                driver.destroy(foreign);
            }
            assertThatThrownBy(() -> driver.spawn(spec(lookalike, disks.overlay(lookalike))))
                    .isInstanceOf(InstanceExistsException.class);
            assertThat(driver.listInstances()).extracting(InstanceInfo::uuid).doesNotContain(lookalike, other);
            assertThat(Virsh.domstate(lookalike)).isEqualTo("running");
            assertThat(Virsh.domstate(other)).isEqualTo("shut off");

            // events are delivered in order: once ours has arrived, the foreign start would have too
            driver.spawn(spec(ours, disks.overlay(ours)));
            await().atMost(Duration.ofSeconds(10)).until(() -> events.stream()
                    .anyMatch(e -> e.uuid().equals(ours) && e.type() == LifecycleEvent.Type.STARTED));
            assertThat(events).extracting(LifecycleEvent::uuid).doesNotContain(lookalike, other);
        } finally {
            driver.destroy(ours);
            Virsh.run("destroy", lookalike.toString());
            Virsh.run("undefine", lookalike.toString());
            Virsh.run("undefine", other.toString());
        }
    }

    private InstanceSpec spec(UUID uuid, DiskSpec disk) {
        InstanceMetadata metadata = new InstanceMetadata("failure", new Flavor(1, 64, 1, 0), "tiny", "test-host",
                Map.of(), Map.of());
        return new InstanceSpec(uuid, metadata, List.of(disk), List.of(), disks.consoleLog(uuid), false);
    }
}
