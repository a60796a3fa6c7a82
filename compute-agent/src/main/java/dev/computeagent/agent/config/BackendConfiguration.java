package dev.computeagent.agent.config;

import dev.computeagent.agent.imagecache.ImageCacheGcSchedule;
import dev.computeagent.agent.migration.OwnedInstancesDriver;
import dev.computeagent.agent.migration.ReleasedInstances;
import dev.computeagent.agent.network.HostNetworkPlan;
import dev.computeagent.agent.network.HostNetworks;
import dev.computeagent.agent.network.LinuxBridges;
import dev.computeagent.hostio.ProcessRunner;
import dev.computeagent.image.ImageCache;
import dev.computeagent.image.ImageCacheSettings;
import dev.computeagent.image.ImageCaches;
import dev.computeagent.virt.PowerOperations;
import dev.computeagent.virt.libvirt.LibvirtComputeDriver;
import dev.computeagent.virt.libvirt.LibvirtDeviceDriver;
import dev.computeagent.virt.libvirt.LibvirtDriverSettings;
import dev.computeagent.virt.libvirt.LibvirtNetworkDriver;
import dev.computeagent.virt.libvirt.LibvirtSecurityGroups;
import dev.computeagent.virt.libvirt.VirtTypeProbe;
import dev.computeagent.virt.libvirt.designer.VirtType;
import dev.computeagent.virt.libvirt.migration.LibvirtMigrationDriver;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;

/**
 * The production collaborators: the libvirt driver ({@code agent.libvirt.*}), seen through this host's
 * ownership, the migration driver on the same connection, and the {@link ImageCache}
 * ({@code agent.image-store.*}, {@code agent.image-cache.*}). Neither fails the start-up when its remote
 * end is down: the driver reconnects on its own, the store is only contacted on a fetch.
 */
@Configuration(proxyBeanMethods = false)
public class BackendConfiguration {

    /** A download that receives nothing for this long fails (and is retried by the cache). */
    static final Duration DOWNLOAD_STALL_TIMEOUT = Duration.ofSeconds(60);
    /** How often networks are tried again while libvirtd is unreachable at start-up. */
    static final Duration HOST_NETWORKS_RETRY = Duration.ofSeconds(10);

    /** Libvirt itself: every domain of the connection, the agent's or not (only the beans below use it). */
    @Bean(destroyMethod = "close")
    LibvirtComputeDriver libvirtDriver(AgentProperties properties) {
        VirtType virtType = VirtTypeProbe.resolve(properties.libvirt().virtType(), properties.libvirt().uri());
        LibvirtDriverSettings settings = LibvirtDriverSettings.defaults(properties.libvirt().uri(), virtType);
        return LibvirtComputeDriver.connect(settings.withDesignerOptions(settings.designerOptions()
                .withMachineType(properties.libvirt().machineType())
                .withPcieRootPorts(properties.libvirt().pcieRootPorts())));
    }

    /** The {@code ComputeDriver} the agent uses: libvirt, seen through this host's ownership (closed with libvirt). */
    @Bean(destroyMethod = "")
    @Primary
    OwnedInstancesDriver computeDriver(LibvirtComputeDriver libvirt, AgentProperties properties) {
        return new OwnedInstancesDriver(libvirt, properties.host(),
                ReleasedInstances.in(properties.stateDir(), properties.host()));
    }

    /** Pause and suspend through the same libvirt connection (handlers check ownership through the compute driver). */
    @Bean
    PowerOperations powerOperations(LibvirtComputeDriver libvirt) {
        return libvirt.powerOperations();
    }

    /** Migration through the same libvirt connection (and, for a cold arrival, the same rendering) as the compute driver. */
    @Bean(destroyMethod = "close")
    LibvirtMigrationDriver migrationDriver(LibvirtComputeDriver libvirt) {
        return new LibvirtMigrationDriver(libvirt);
    }

    /** The host's networks, on the same libvirt connection. */
    @Bean
    LibvirtNetworkDriver networkDriver(LibvirtComputeDriver libvirt) {
        return new LibvirtNetworkDriver(libvirt.connectionManager());
    }

    /** Security groups as libvirt nwfilters, on the same libvirt connection. */
    @Bean
    LibvirtSecurityGroups securityGroupDriver(LibvirtComputeDriver libvirt) {
        return new LibvirtSecurityGroups(libvirt.connectionManager());
    }

    /** The configured networks ({@code agent.networks.*}), ensured before the agent takes commands. */
    @Bean
    HostNetworks hostNetworks(AgentProperties properties, LibvirtNetworkDriver networks) {
        List<HostNetworkPlan> plans = properties.networks().entrySet().stream()
                .sorted(Map.Entry.comparingByKey()).map(e -> e.getValue().plan(e.getKey())).toList();
        return new HostNetworks(plans, networks, new LinuxBridges(new ProcessRunner()), HOST_NETWORKS_RETRY);
    }

    /** Hot plug of volumes and NICs through the same libvirt connection (the handlers check ownership first). */
    @Bean
    LibvirtDeviceDriver deviceDriver(LibvirtComputeDriver libvirt) {
        return new LibvirtDeviceDriver(libvirt);
    }

    @Bean(destroyMethod = "close")
    ImageCache imageCache(AgentProperties properties) {
        AgentProperties.ImageCache cache = properties.imageCache();
        String token = properties.imageStore().token();
        ImageCacheSettings settings = new ImageCacheSettings(properties.stateDir(), properties.imageStore().url(),
                token == null || token.isEmpty() ? Optional.empty() : Optional.of(token), cache.forceRaw(),
                cache.maxUnusedAge(), cache.quotaBytes() > 0 ? Optional.of(cache.quotaBytes()) : Optional.empty(),
                DOWNLOAD_STALL_TIMEOUT, properties.maxConcurrentDownloads(),
                properties.imageStore().downloadMinRate().toBytes());
        return ImageCaches.open(settings);
    }

    /** The cache's garbage collection every {@code agent.image-cache.gc-interval}, on its own thread. */
    @Bean
    ImageCacheGcSchedule imageCacheGcSchedule(ImageCache imageCache, AgentProperties properties) {
        return new ImageCacheGcSchedule(imageCache, properties.imageCache().gcInterval());
    }
}
