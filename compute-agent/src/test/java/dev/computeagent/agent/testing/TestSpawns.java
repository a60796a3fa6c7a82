package dev.computeagent.agent.testing;

import dev.computeagent.agent.configdrive.ConfigDriveBuilder;
import dev.computeagent.agent.configdrive.ConfigDriveOptions;
import dev.computeagent.agent.handler.SpawnHandler;
import dev.computeagent.agent.provision.HostCapacity;
import dev.computeagent.agent.provision.InstanceProvisioner;
import dev.computeagent.agent.state.InstanceFiles;
import dev.computeagent.agent.state.InstanceRegistry;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.image.ImageCache;
import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.fake.FakeNetworkDriver;
import dev.computeagent.virt.fake.FakeSecurityGroupDriver;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;

/**
 * A {@link SpawnHandler} wired as the agent wires it, for tests that drive it directly: its writes behind
 * the announced outcome run before {@code handle} returns, as the executor waits for them before the
 * instance's next command.
 */
public final class TestSpawns {

    private TestSpawns() {
    }

    /** A spawn handler of host {@code host} over {@code registry} with the real config drive builder. */
    public static SpawnHandler handler(ComputeDriver driver, ImageCache images, InstanceRegistry registry,
                                       InstanceFiles files, String host) {
        return handler(driver, images, registry, files, ConfigDrives.builder(), ConfigDrives.OPTIONS,
                new HostCapacity(driver, files, registry), host, new SimpleMeterRegistry());
    }

    public static SpawnHandler handler(ComputeDriver driver, ImageCache images, InstanceRegistry registry,
                                       InstanceFiles files, ConfigDriveBuilder configDrives,
                                       ConfigDriveOptions options, HostCapacity capacity, String host,
                                       MeterRegistry meters) {
        return new SpawnHandler(driver, images, new InstanceStore(driver, registry), files,
                new InstanceProvisioner(images, files, configDrives), capacity, options, host, Clock.systemUTC(),
                meters, FakeNetworkDriver.withForeign("default"), new FakeSecurityGroupDriver(), Runnable::run);
    }
}
