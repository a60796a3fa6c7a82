package dev.computeagent.agent.web.support;

import dev.computeagent.agent.config.AgentProperties;
import dev.computeagent.agent.health.GuestAccessHealthIndicator;
import dev.computeagent.agent.health.LibvirtHealthIndicator;
import dev.computeagent.agent.metrics.ImageCacheMetrics;
import dev.computeagent.agent.metrics.InstanceMetrics;
import dev.computeagent.agent.state.InstanceFiles;
import dev.computeagent.agent.status.BrokerConnectivity;
import dev.computeagent.agent.status.GuestAgentProbe;
import dev.computeagent.agent.status.HostStatusService;
import dev.computeagent.agent.web.ConsoleController;
import dev.computeagent.agent.web.ImagesController;
import dev.computeagent.agent.web.InstancesController;
import dev.computeagent.agent.web.NetworksController;
import dev.computeagent.agent.web.ProblemResponses;
import dev.computeagent.agent.web.StatusController;
import dev.computeagent.virt.fake.FakeComputeDriver;
import dev.computeagent.virt.fake.FakeNetworkDriver;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import dev.computeagent.agent.state.MigrationProgressBoard;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * The agent's web side (REST, status, health, metrics) with Spring Boot's auto-configuration, the
 * real {@code application.yml}, and test doubles for the collaborators the agent's core provides:
 * the in-memory {@link FakeComputeDriver}, a {@link StubImageCache} and a {@link StubInstanceViews}.
 * The AMQP connection factory is Spring Boot's own, so the broker is whatever
 * {@code spring.rabbitmq.*} says (tests point it at a closed port for "down").
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableConfigurationProperties(AgentProperties.class)
@Import({StatusController.class, InstancesController.class, ImagesController.class, NetworksController.class, ConsoleController.class,
        ProblemResponses.class,
        HostStatusService.class, BrokerConnectivity.class, GuestAgentProbe.class, LibvirtHealthIndicator.class, GuestAccessHealthIndicator.class,
        ImageCacheMetrics.class, InstanceMetrics.class})
public class AgentWebTestApplication {

    @Bean(destroyMethod = "close")
    public FakeComputeDriver computeDriver() {
        return new FakeComputeDriver();
    }

    @Bean
    public FakeNetworkDriver networkDriver() {
        return new FakeNetworkDriver();
    }

    @Bean
    public StubImageCache imageCache() {
        return new StubImageCache();
    }

    @Bean
    public StubInstanceViews instanceViews() {
        return new StubInstanceViews();
    }

    @Bean
    public InstanceFiles instanceFiles(AgentProperties properties) {
        return new InstanceFiles(properties.stateDir(), properties.host());
    }

    @Bean
    public MigrationProgressBoard migrationProgressBoard() {
        return new MigrationProgressBoard();
    }
}
