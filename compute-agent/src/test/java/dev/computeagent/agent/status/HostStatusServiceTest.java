package dev.computeagent.agent.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.agent.config.AgentProperties;
import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.agent.state.InstanceView;
import dev.computeagent.agent.state.InstanceViews;
import dev.computeagent.agent.web.support.StubImageCache;
import dev.computeagent.agent.web.support.StubInstanceViews;
import dev.computeagent.image.CacheStatistics;
import dev.computeagent.image.ImageCache;
import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.HostResources;
import dev.computeagent.virt.fake.FakeComputeDriver;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.info.BuildProperties;
import org.springframework.util.unit.DataSize;

/** {@link HostStatusService} never throws and never invents: what it cannot know is null or zero. */
class HostStatusServiceTest {

    @TempDir
    Path stateDir;

    private final FakeComputeDriver driver = new FakeComputeDriver(
            new HostResources("h", 16, 32_768, "QEMU", "7.2.0", "kvm", "qemu+ssh://admin@hv1/system?keyfile=/k"));
    private final StubImageCache cache = new StubImageCache();
    private final StubInstanceViews directory = new StubInstanceViews();

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    @Test
    void reportsCapacityAllocationsCountsAndCacheWithTheUriRedacted() {
        directory.setInstances(List.of(view("00000000-0000-4000-8000-000000000001", InstanceState.ACTIVE, 4, 4096),
                view("00000000-0000-4000-8000-000000000002", InstanceState.BUILDING, 2, 1024)));
        cache.setStatistics(new CacheStatistics(2, 4096, 0, 0, 0, 0, Map.of()));

        HostStatus status = service(driver, cache, directory, "1.2.3").current();

        assertThat(status.host()).isEqualTo("node-x");
        assertThat(status.agentVersion()).isEqualTo("1.2.3");
        assertThat(status.hypervisor()).isEqualTo(
                new HostStatus.Hypervisor("qemu+ssh://hv1/system", "QEMU", "7.2.0", true, "kvm"));
        assertThat(status.broker().connected()).isFalse();
        assertThat(status.resources().vcpus()).isEqualTo(16);
        assertThat(status.resources().vcpusUsed()).isEqualTo(6);
        assertThat(status.resources().memoryMb()).isEqualTo(32_768);
        assertThat(status.resources().memoryMbUsed()).isEqualTo(5120);
        assertThat(status.resources().diskGb()).isPositive();
        assertThat(status.instances()).isEqualTo(HostStatus.Instances.of(Map.of(InstanceState.BUILDING, 1L,
                InstanceState.ACTIVE, 1L)));
        assertThat(status.instances().total()).isEqualTo(2);
        assertThat(status.imageCache()).isEqualTo(new HostStatus.ImageCacheSummary(2, 4096));
    }

    @Test
    void hypervisorNeverReachedIsReportedAsUnknownNotInvented() {
        driver.setConnected(false);

        HostStatus status = service(driver, cache, directory, null).current();

        assertThat(status.hypervisor()).isEqualTo(
                new HostStatus.Hypervisor("qemu:///system", null, null, false, null));
        assertThat(status.resources().vcpus()).isZero();
        assertThat(status.agentVersion()).isNotBlank();
    }

    @Test
    void failingCollaboratorsDoNotMakeItThrow() {
        directory.fail(new IllegalStateException("registry broken"));
        cache.failStatistics(new IllegalStateException("cache broken"));

        HostStatus status = service(driver, cache, directory, "v").current();

        assertThat(status.instances().total()).isZero();
        assertThat(status.imageCache()).isEqualTo(new HostStatus.ImageCacheSummary(0, 0));
        assertThat(status.hypervisor().connected()).isTrue();
    }

    @Test
    void missingBeansCountAsAbsent() {
        HostStatus status = service(null, null, null, "v").current();

        assertThat(status.hypervisor().connected()).isFalse();
        assertThat(status.instances().total()).isZero();
        assertThat(status.imageCache().images()).isZero();
    }

    @Test
    void brokerFlagFollowsConnectionEvents() {
        BrokerConnectivity broker = new BrokerConnectivity(new DefaultListableBeanFactory().getBeanProvider(ConnectionFactory.class));
        HostStatusService service = service(driver, cache, directory, "v", broker);

        broker.onCreate(null);
        assertThat(service.current().broker().connected()).isTrue();
        broker.onShutDown(null);
        assertThat(service.current().broker().connected()).isFalse();
        broker.onCreate(null);
        broker.onFailed(new RuntimeException("refused"));
        assertThat(service.current().broker().connected()).isFalse();
    }

    @Test
    void diskOfAStateDirThatDoesNotExistYetIsMeasuredAtItsParent() {
        long[] disk = DiskCapacity.of(stateDir.resolve("not/yet/created"));

        assertThat(disk[0]).isEqualTo(DiskCapacity.of(stateDir)[0]).isPositive();
        assertThat(disk[1]).isBetween(0L, disk[0]);
    }

    private HostStatusService service(ComputeDriver driver, ImageCache cache, InstanceViews directory, String version) {
        return service(driver, cache, directory, version,
                new BrokerConnectivity(new DefaultListableBeanFactory().getBeanProvider(ConnectionFactory.class)));
    }

    private HostStatusService service(ComputeDriver driver, ImageCache cache, InstanceViews directory,
                                      String version, BrokerConnectivity broker) {
        DefaultListableBeanFactory beans = new DefaultListableBeanFactory();
        if (driver != null) {
            beans.registerSingleton("driver", driver);
        }
        if (cache != null) {
            beans.registerSingleton("cache", cache);
        }
        if (directory != null) {
            beans.registerSingleton("directory", directory);
        }
        if (version != null) {
            Properties build = new Properties();
            build.setProperty("version", version);
            beans.registerSingleton("build", new BuildProperties(build));
        }
        AgentProperties properties = new AgentProperties("node-x", stateDir,
                new AgentProperties.Libvirt("qemu:///system", "auto", null, 0, false, "pc", 16, false, Duration.ofSeconds(60)),
                new AgentProperties.ImageStore(null, null, DataSize.ofMegabytes(1)), Duration.ofSeconds(30), 8, 4, 5,
                Duration.ofMinutes(10),
                Duration.ofSeconds(120), new AgentProperties.ImageCache(Duration.ofHours(24), 0, Duration.ofHours(1), true),
                new AgentProperties.InternalAuth(null, null, "default", null, Duration.ofMinutes(15)),
                new AgentProperties.ConfigDrive(false, "nova"),
                new AgentProperties.Migration(Duration.ofSeconds(2), Duration.ofMinutes(15)), Map.of());
        return new HostStatusService(properties, beans.getBeanProvider(ComputeDriver.class),
                beans.getBeanProvider(ImageCache.class), beans.getBeanProvider(InstanceViews.class), broker,
                beans.getBeanProvider(BuildProperties.class));
    }

    private static InstanceView view(String uuid, InstanceState state, int vcpus, long memoryMb) {
        return new InstanceView(uuid, "n", state, "RUNNING", new Flavor(vcpus, memoryMb, 1, 0), "img", "node-x",
                Instant.parse("2026-11-22T10:00:00Z"), null);
    }
}
