package dev.computeagent.agent.amqp;

import dev.computeagent.agent.config.AgentCoreConfiguration;
import dev.computeagent.agent.config.AgentProperties;
import dev.computeagent.agent.status.BrokerConnectivity;
import dev.computeagent.agent.status.HostStatusService;
import dev.computeagent.agent.testing.FakeImageCache;
import dev.computeagent.virt.fake.FakeComputeDriver;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/** The agent's core on a real broker with the in-memory driver and image cache. */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableConfigurationProperties(AgentProperties.class)
@Import({AgentCoreConfiguration.class, HostStatusService.class, BrokerConnectivity.class,
        dev.computeagent.agent.health.LibvirtHealthIndicator.class})
public class CoreWithFakeDriverTestApplication {

    @Bean(destroyMethod = "close")
    public FakeComputeDriver computeDriver() {
        return new FakeComputeDriver();
    }

    @Bean
    public FakeImageCache imageCache() {
        return new FakeImageCache();
    }
}
