package dev.computeagent.agent.handler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.computeagent.agent.failure.CommandFailedException;
import dev.computeagent.agent.failure.ErrorMapper;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.agent.state.InstanceFiles;
import dev.computeagent.agent.state.InstanceRegistry;
import dev.computeagent.agent.testing.FakeImageCache;
import dev.computeagent.agent.testing.TestCommands;
import dev.computeagent.agent.testing.TestSpawns;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.NicSpec;
import dev.computeagent.virt.fake.FakeComputeDriver;
import dev.computeagent.virt.fake.FakeOperation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A spawn naming a network the host does not run is the caller's fault and is refused before any work. */
class SpawnUnknownNetworkTest {

    @TempDir
    Path stateDir;

    private final FakeComputeDriver driver = new FakeComputeDriver();
    private final FakeImageCache images = new FakeImageCache();

    @AfterEach
    void tearDown() {
        driver.close();
    }

    @Test
    void spawnOnAnUnknownNetworkFailsWithInvalidCommandAndLeavesNothing() {
        InstanceRegistry registry = new InstanceRegistry("h1");
        InstanceFiles files = new InstanceFiles(stateDir, "test-host");
        SpawnHandler spawn = TestSpawns.handler(driver, images, registry, files, "h1");
        AtomicBoolean fetched = new AtomicBoolean();
        images.onFetch("img", () -> fetched.set(true));
        UUID uuid = UUID.randomUUID();

        CommandFailedException failure = catchThrowableOfType(() -> spawn.handle(TestCommands.spawn("r-1", uuid,
                TestCommands.spawnArgs("vm", new Flavor(1, 64, 1, 0), "img",
                        List.of(NicSpec.network("default"), NicSpec.network("no-such-net")), Map.of(),
                        Optional.empty()))), CommandFailedException.class);

        assertThat(failure.getMessage()).contains("no-such-net").contains("h1");
        assertThat(ErrorMapper.toError(failure).code()).isEqualTo(ErrorCode.INVALID_COMMAND);
        assertThat(ErrorMapper.toError(failure).retriable()).isFalse();
        assertThat(fetched).as("no image fetched").isFalse();
        assertThat(driver.callCount(FakeOperation.SPAWN)).isZero();
        assertThat(files.exists(uuid)).isFalse();
        assertThat(Files.exists(files.dir(uuid))).isFalse();
        assertThat(registry.find(uuid)).isEmpty();
    }
}
