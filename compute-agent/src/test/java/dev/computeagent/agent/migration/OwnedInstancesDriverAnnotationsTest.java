package dev.computeagent.agent.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.computeagent.virt.DiskSpec;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.InstanceInfo;
import dev.computeagent.virt.InstanceMetadata;
import dev.computeagent.virt.InstanceNotFoundException;
import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.fake.FakeComputeDriver;
import dev.computeagent.virt.fake.FakeOperation;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Annotations stored with an instance just read: only an owned one, and without reading it again. */
class OwnedInstancesDriverAnnotationsTest {

    private final FakeComputeDriver fake = new FakeComputeDriver();
    private final OwnedInstancesDriver driver = new OwnedInstancesDriver(fake, "h1");

    @AfterEach
    void tearDown() {
        fake.close();
    }

    private UUID spawn(String owner) {
        UUID uuid = UUID.randomUUID();
        fake.spawn(new InstanceSpec(uuid, new InstanceMetadata("vm", new Flavor(1, 64, 1, 0), "img", owner, Map.of(),
                Map.of("kept", "yes")), List.of(DiskSpec.qcow2Root(Path.of("/nonexistent/disk"))), List.of(),
                Path.of("/nonexistent/console.log"), false));
        return uuid;
    }

    @Test
    void anOwnedInstanceJustReadGetsItsAnnotationsWithoutASecondRead() {
        fake.setCheckDiskFiles(false);
        UUID uuid = spawn("h1");
        InstanceInfo read = driver.info(uuid);
        int reads = fake.callCount(FakeOperation.INFO);

        driver.updateAnnotations(read, Map.of("kept", "yes", "volume:vol-1", "vdb file local"));

        assertThat(fake.callCount(FakeOperation.INFO)).isEqualTo(reads);
        assertThat(fake.info(uuid).metadata().annotations())
                .containsExactlyInAnyOrderEntriesOf(Map.of("kept", "yes", "volume:vol-1", "vdb file local"));
    }

    @Test
    void anInstanceOfAnotherHostIsNotFoundAndKeepsItsAnnotations() {
        fake.setCheckDiskFiles(false);
        UUID uuid = spawn("h2");
        InstanceInfo read = fake.info(uuid);

        assertThatThrownBy(() -> driver.updateAnnotations(read, Map.of("volume:vol-1", "vdb file local")))
                .isInstanceOf(InstanceNotFoundException.class);
        assertThat(fake.info(uuid).metadata().annotations()).containsExactlyEntriesOf(Map.of("kept", "yes"));
    }
}
