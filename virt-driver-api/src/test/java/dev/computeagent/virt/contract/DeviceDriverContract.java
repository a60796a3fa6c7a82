package dev.computeagent.virt.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.DiskSpec;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.InstanceMetadata;
import dev.computeagent.virt.InstanceNotFoundException;
import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.InvalidSpecException;
import dev.computeagent.virt.NicSpec;
import dev.computeagent.virt.device.DeviceDriver;
import dev.computeagent.virt.device.VolumeAttachment;
import dev.computeagent.virt.device.VolumeConnection;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link DeviceDriver} must show, run against the fake and the libvirt driver.
 * Only what any guest does is checked here: a detach from a <em>running</em> guest needs the guest's
 * cooperation, so it is left to the drivers' own tests (with a guest that releases, or one that never does).
 */
public abstract class DeviceDriverContract {

    private static final Duration DETACH_TIMEOUT = Duration.ofSeconds(10);
    private final List<UUID> created = new ArrayList<>();

    protected abstract ComputeDriver compute();

    protected abstract DeviceDriver devices();

    /** A new, existing, bootable root disk for the instance. */
    protected abstract DiskSpec createRootDisk(UUID uuid);

    /** A new raw file the hypervisor can open, as a volume (removed with the instance's disks). */
    protected abstract Path createVolumeFile(UUID uuid, String name);

    protected abstract Path consoleLog(UUID uuid);

    protected abstract void deleteDisks(UUID uuid);

    @AfterEach
    void destroyCreatedInstances() {
        for (UUID uuid : created) {
            compute().destroy(uuid);
            deleteDisks(uuid);
        }
        created.clear();
    }

    private UUID spawn(boolean running) {
        UUID uuid = UUID.randomUUID();
        created.add(uuid);
        InstanceMetadata metadata = new InstanceMetadata("devices", new Flavor(1, 64, 1, 0), "image-1",
                "contract-host", Map.of(), Map.of());
        compute().spawn(new InstanceSpec(uuid, metadata, List.of(createRootDisk(uuid)), List.of(), consoleLog(uuid),
                false));
        if (!running) {
            compute().stop(uuid, Duration.ZERO);
        }
        return uuid;
    }

    private VolumeAttachment fileVolume(UUID uuid, String id, String device) {
        return new VolumeAttachment(id, device, new VolumeConnection.FileVolume(createVolumeFile(uuid, id),
                DiskSpec.Format.RAW, false), false);
    }

    @Test
    void volumeAttachedToARunningInstanceIsLiveAndSurvivesStopStart() {
        UUID uuid = spawn(true);

        devices().attachVolume(uuid, fileVolume(uuid, "vol-1", "vdb"));

        assertThat(devices().attached(uuid).disks()).contains("vda", "vdb");
        compute().stop(uuid, Duration.ZERO);
        assertThat(devices().attached(uuid).disks()).contains("vda", "vdb");
        compute().start(uuid);
        assertThat(devices().attached(uuid).disks()).contains("vda", "vdb");
    }

    @Test
    void volumeAttachedToAStoppedInstanceIsThereWhenItStarts() {
        UUID uuid = spawn(false);

        devices().attachVolume(uuid, fileVolume(uuid, "vol-1", "vdc"));
        compute().start(uuid);

        assertThat(devices().attached(uuid).disks()).containsExactlyInAnyOrder("vda", "vdc");
    }

    @Test
    void attachingTheSameVolumeTwiceIsOneAttachment() {
        UUID uuid = spawn(false);
        VolumeAttachment volume = fileVolume(uuid, "vol-1", "vdb");

        devices().attachVolume(uuid, volume);
        devices().attachVolume(uuid, volume);

        assertThat(devices().attached(uuid).disks()).containsExactlyInAnyOrder("vda", "vdb");
    }

    @Test
    void aVolumeGoesOnTheDeviceItsChooserPicksAmongTheDevicesThereNow() {
        UUID uuid = spawn(true);
        devices().attachVolume(uuid, fileVolume(uuid, "vol-1", "vdb"));
        Set<String> shown = new HashSet<>();

        VolumeAttachment attached = devices().attachVolume(uuid, present -> {
            shown.addAll(present.disks());
            return fileVolume(uuid, "vol-2", present.disks().contains("vdb") ? "vdc" : "vdb");
        });

        assertThat(shown).containsExactlyInAnyOrder("vda", "vdb");
        assertThat(attached.volumeId()).isEqualTo("vol-2");
        assertThat(attached.device()).isEqualTo("vdc");
        assertThat(devices().attached(uuid).disks()).containsExactlyInAnyOrder("vda", "vdb", "vdc");
    }

    @Test
    void whatTheChooserThrowsIsThrownWithNothingAttached() {
        UUID uuid = spawn(true);
        IllegalStateException refusal = new IllegalStateException("no free device");

        assertThatThrownBy(() -> devices().attachVolume(uuid, present -> {
            throw refusal;
        })).isSameAs(refusal);
        assertThat(devices().attached(uuid).disks()).containsExactly("vda");
    }

    @Test
    void aDeviceTakenByAnotherDiskIsRefused() {
        UUID uuid = spawn(false);
        devices().attachVolume(uuid, fileVolume(uuid, "vol-1", "vdb"));

        assertThatThrownBy(() -> devices().attachVolume(uuid, fileVolume(uuid, "vol-2", "vdb")))
                .isInstanceOf(InvalidSpecException.class);
        assertThat(devices().attached(uuid).disks()).containsExactlyInAnyOrder("vda", "vdb");
    }

    @Test
    void volumeDetachedFromAStoppedInstanceIsGoneAfterStart() {
        UUID uuid = spawn(false);
        devices().attachVolume(uuid, fileVolume(uuid, "vol-1", "vdb"));

        devices().detachVolume(uuid, "vdb", DETACH_TIMEOUT);
        compute().start(uuid);

        assertThat(devices().attached(uuid).disks()).containsExactly("vda");
    }

    @Test
    void detachingADeviceThatIsNotAttachedSucceeds() {
        UUID uuid = spawn(true);

        devices().detachVolume(uuid, "vdq", DETACH_TIMEOUT);
        devices().detachInterface(uuid, "52:54:00:00:00:99", DETACH_TIMEOUT);

        assertThat(devices().attached(uuid).disks()).containsExactly("vda");
    }

    @Test
    void interfacePluggedIntoAStoppedInstanceIsThereAndCanBeUnplugged() {
        UUID uuid = spawn(false);
        NicSpec nic = new NicSpec(NicSpec.Type.USER, Optional.empty(), Optional.of("52:54:00:12:34:56"), "virtio");

        devices().attachInterface(uuid, nic);
        devices().attachInterface(uuid, nic);
        assertThat(devices().attached(uuid).macs()).containsExactly("52:54:00:12:34:56");

        devices().detachInterface(uuid, "52:54:00:12:34:56", DETACH_TIMEOUT);
        assertThat(devices().attached(uuid).macs()).isEmpty();
    }

    @Test
    void interfaceWithoutAMacIsRefused() {
        UUID uuid = spawn(false);

        assertThatThrownBy(() -> devices().attachInterface(uuid, NicSpec.user()))
                .isInstanceOf(InvalidSpecException.class);
    }

    @Test
    void unknownInstanceIsNotFound() {
        UUID unknown = UUID.randomUUID();
        VolumeAttachment volume = new VolumeAttachment("vol-x", "vdb",
                new VolumeConnection.FileVolume(Path.of("/nonexistent/vol"), DiskSpec.Format.RAW, false), false);

        assertThatThrownBy(() -> devices().attachVolume(unknown, volume)).isInstanceOf(InstanceNotFoundException.class);
        assertThatThrownBy(() -> devices().detachVolume(unknown, "vdb", DETACH_TIMEOUT))
                .isInstanceOf(InstanceNotFoundException.class);
        assertThatThrownBy(() -> devices().attached(unknown)).isInstanceOf(InstanceNotFoundException.class);
    }
}
