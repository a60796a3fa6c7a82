package dev.computeagent.agent.recovery;

import static dev.computeagent.agent.testing.AmqpTestClient.envelope;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.computeagent.agent.config.AgentCoreConfiguration;
import dev.computeagent.agent.config.AgentProperties;
import dev.computeagent.agent.health.GuestAccessHealthIndicator;
import dev.computeagent.agent.health.LibvirtHealthIndicator;
import dev.computeagent.agent.migration.OwnedInstancesDriver;
import dev.computeagent.agent.status.BrokerConnectivity;
import dev.computeagent.agent.status.HostStatusService;
import dev.computeagent.agent.testing.AmqpTestClient;
import dev.computeagent.image.ImageCache;
import dev.computeagent.image.ImageCacheSettings;
import dev.computeagent.image.ImageCaches;
import dev.computeagent.virt.PowerOperations;
import dev.computeagent.virt.libvirt.LibvirtComputeDriver;
import dev.computeagent.virt.libvirt.LibvirtDeviceDriver;
import dev.computeagent.virt.libvirt.LibvirtDriverSettings;
import dev.computeagent.virt.libvirt.LibvirtNetworkDriver;
import dev.computeagent.virt.libvirt.LibvirtSecurityGroups;
import dev.computeagent.virt.libvirt.designer.VirtType;
import dev.computeagent.virt.libvirt.migration.LibvirtMigrationDriver;
import dev.computeagent.virt.libvirt.testing.TwoLibvirtHosts;
import dev.computeagent.virt.testing.Prerequisites;
import dev.computeagent.virt.testing.TinyGuestImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import tools.jackson.databind.JsonNode;

/**
 * A libvirtd crash in the middle of a spawn, for real: the agent's core drives a private libvirtd (one
 * of the {@link TwoLibvirtHosts}, never the machine's own), which is SIGKILLed right after the domain
 * was defined and started. The guest's QEMU runs on. The spawn fails, retriable; its disks stay while
 * the domain may exist (the old clean-up deleted them under the running guest); once libvirtd is back
 * and the agent has reconnected, the domain is destroyed and only then its files removed; a retried
 * spawn then builds the instance anew, disk and all.
 */
class SpawnCutByALibvirtdCrashTwoLibvirtHostsRabbitMqTest {

    @RegisterExtension
    static final TwoLibvirtHosts HOSTS = new TwoLibvirtHosts();

    private static final String HOST = "crash-" + UUID.randomUUID().toString().substring(0, 8);
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static Path stateDir;
    private static Path imageStore;
    private static AmqpTestClient client;
    private static ConfigurableApplicationContext agent;
    private static HypervisorLostAfterDefine driver;

    /** The agent's core with the libvirt driver on host a and a directory image store. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    @EnableConfigurationProperties(AgentProperties.class)
    @Import({AgentCoreConfiguration.class, HostStatusService.class, BrokerConnectivity.class,
            LibvirtHealthIndicator.class, GuestAccessHealthIndicator.class})
    static class AgentOnHostA {

        @Bean(destroyMethod = "close")
        LibvirtComputeDriver libvirtDriver(AgentProperties properties) {
            LibvirtDriverSettings settings = LibvirtDriverSettings.defaults(properties.libvirt().uri(), VirtType.QEMU)
                    .withReconnectBackoff(Duration.ofMillis(200), Duration.ofSeconds(1));
            return LibvirtComputeDriver.connect(settings);
        }

        @Bean(destroyMethod = "")
        OwnedInstancesDriver ownership(LibvirtComputeDriver libvirt, AgentProperties properties) {
            return new OwnedInstancesDriver(libvirt, properties.host());
        }

        @Bean(destroyMethod = "")
        @Primary
        HypervisorLostAfterDefine computeDriver(OwnedInstancesDriver ownership) {
            return new HypervisorLostAfterDefine(ownership);
        }

        @Bean
        PowerOperations powerOperations(LibvirtComputeDriver libvirt) {
            return libvirt.powerOperations();
        }

        @Bean
        LibvirtNetworkDriver networkDriver(LibvirtComputeDriver libvirt) {
            return new LibvirtNetworkDriver(libvirt.connectionManager());
        }

        @Bean
        LibvirtSecurityGroups securityGroupDriver(LibvirtComputeDriver libvirt) {
            return new LibvirtSecurityGroups(libvirt.connectionManager());
        }

        @Bean(destroyMethod = "close")
        LibvirtMigrationDriver migrationDriver(LibvirtComputeDriver libvirt) {
            return new LibvirtMigrationDriver(libvirt);
        }

        @Bean
        LibvirtDeviceDriver deviceDriver(LibvirtComputeDriver libvirt) {
            return new LibvirtDeviceDriver(libvirt);
        }

        @Bean(destroyMethod = "close")
        ImageCache imageCache(AgentProperties properties) {
            return ImageCaches.open(ImageCacheSettings.defaults(properties.stateDir(), properties.imageStore().url()));
        }
    }

    @BeforeAll
    static void startAgent() throws Exception {
        Prerequisites.requireQemuImg();
        client = AmqpTestClient.connect(HOST);
        stateDir = HOSTS.a().dir().resolve("state-" + HOST);
        imageStore = Files.createDirectories(HOSTS.a().dir().resolve("images-" + HOST));
        TinyGuestImage.write(imageStore.resolve("tiny"));
        agent = new SpringApplicationBuilder(AgentOnHostA.class).web(WebApplicationType.NONE).properties(
                "agent.host=" + HOST,
                "agent.state-dir=" + stateDir,
                "agent.libvirt.uri=" + HOSTS.a().unixUri(),
                "agent.image-store.url=" + imageStore.toUri(),
                "spring.rabbitmq.host=" + AmqpTestClient.BROKER_HOST,
                "spring.rabbitmq.port=" + AmqpTestClient.BROKER_PORT).run();
        driver = agent.getBean(HypervisorLostAfterDefine.class);
        await().atMost(WAIT).until(() -> client.consumers() == 1 && driver.isConnected());
    }

    @AfterAll
    static void stopAgent() throws Exception {
        if (agent != null) {
            agent.close();
        }
        if (client != null) {
            client.deleteQueues();
            client.close();
        }
    }

    private static JsonNode command(String command, String requestId, UUID uuid, String args) throws Exception {
        client.command(envelope(command, requestId, uuid.toString(), args), requestId);
        return client.awaitReply(requestId, WAIT).json();
    }

    /** Whether a QEMU process of instance {@code uuid} runs (the hosts' pid namespaces are visible from here). */
    private static boolean qemuRunning(UUID uuid) {
        return ProcessHandle.allProcesses().anyMatch(p -> p.info().commandLine()
                .map(c -> c.contains("qemu-system") && c.contains(uuid.toString())).orElse(false));
    }

    private static String domainState(UUID uuid) {
        TwoLibvirtHosts.ExecResult state = HOSTS.exec(HOSTS.a(), Duration.ofSeconds(30), "virsh", "-q", "domstate",
                "instance-" + uuid);
        return state.succeeded() ? state.stdout().trim() : "absent";
    }

    @Test
    void aSpawnCutByALibvirtdCrashKeepsItsDisksUntilTheDomainIsGoneThenARetryBuildsItAgain() throws Exception {
        UUID uuid = UUID.randomUUID();
        String spawnArgs = "{\"name\":\"cut\",\"flavor\":{\"vcpus\":1,\"memory_mb\":64,\"root_gb\":0},"
                + "\"image_id\":\"tiny\"}";
        Path instanceDir = stateDir.resolve("instances").resolve(uuid.toString());

        driver.loseAfterNextDefine(() -> HOSTS.killLibvirtd(HOSTS.a()));
        JsonNode failed = command("spawn", "cut-1", uuid, spawnArgs);

        assertThat(failed.path("event").asString()).isEqualTo("instance.spawn.error");
        assertThat(failed.path("error").path("code").asString()).isEqualTo("HYPERVISOR_ERROR");
        assertThat(failed.path("error").path("retriable").asBoolean()).isTrue();
        // the domain may still exist (it does: its QEMU runs on without libvirtd): its disk must not go
        assertThat(instanceDir.resolve("disk")).exists();
        // asked of the process table, not of the restarted libvirtd: the agent may start its clean-up as soon
        // as it reconnects
        assertThat(qemuRunning(uuid)).as("the guest survived the crash").isTrue();

        HOSTS.startLibvirtd(HOSTS.a());

        // reconnected, the agent finishes the clean-up: domain first, files after
        await().atMost(WAIT).until(() -> domainState(uuid).equals("absent") && !Files.exists(instanceDir));

        JsonNode retried = command("spawn", "cut-2", uuid, spawnArgs);
        assertThat(retried.path("event").asString()).as(retried.toString()).isEqualTo("instance.spawn.end");
        assertThat(retried.path("payload").path("state").asString()).isEqualTo("ACTIVE");
        assertThat(instanceDir.resolve("disk")).exists();
        assertThat(domainState(uuid)).isEqualTo("running");

        assertThat(command("delete", "cut-3", uuid, "{}").path("payload").path("state").asString())
                .isEqualTo("DELETED");
        assertThat(domainState(uuid)).isEqualTo("absent");
        assertThat(instanceDir).doesNotExist();
        assertThat(client.drainDeadLetters()).isEmpty();
    }
}
