package dev.computeagent.agent.amqp;

import dev.computeagent.agent.config.AgentCoreConfiguration;
import dev.computeagent.agent.config.AgentProperties;
import dev.computeagent.agent.health.GuestAccessHealthIndicator;
import dev.computeagent.agent.health.LibvirtHealthIndicator;
import dev.computeagent.agent.migration.OwnedInstancesDriver;
import dev.computeagent.agent.status.BrokerConnectivity;
import dev.computeagent.agent.status.HostStatusService;
import dev.computeagent.agent.testing.FakeImageCache;
import dev.computeagent.virt.fake.FakeComputeDriver;
import dev.computeagent.virt.fake.FakeDeviceDriver;
import dev.computeagent.virt.fake.FakeNetworkDriver;
import dev.computeagent.virt.fake.FakeSecurityGroupDriver;
import dev.computeagent.virt.migration.FakeMigrationDriver;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;

/** The agent's core on a real broker with the in-memory driver and image cache. */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableConfigurationProperties(AgentProperties.class)
@Import({AgentCoreConfiguration.class, HostStatusService.class, BrokerConnectivity.class,
        LibvirtHealthIndicator.class, GuestAccessHealthIndicator.class})
public class CoreWithFakeDriverTestApplication {

    /** The hypervisor's {@code default} network, running. */
    @Bean
    public FakeNetworkDriver networkDriver() {
        return FakeNetworkDriver.withForeign("default");
    }

    @Bean
    public FakeSecurityGroupDriver securityGroupDriver() {
        return new FakeSecurityGroupDriver();
    }

    @Bean(destroyMethod = "close")
    public FakeComputeDriver fakeDriver() {
        return new FakeComputeDriver();
    }

    /** The driver the agent uses, as in production: the hypervisor seen through this host's ownership. */
    @Bean(destroyMethod = "")
    @Primary
    public OwnedInstancesDriver computeDriver(FakeComputeDriver fake, AgentProperties properties) {
        return new OwnedInstancesDriver(fake, properties.host());
    }

    /** Migration to hosts nobody registered: every attempt fails as with an unreachable destination. */
    @Bean
    public FakeMigrationDriver migrationDriver(FakeComputeDriver fake) {
        return new FakeMigrationDriver(fake, new FakeMigrationDriver.Network());
    }

    @Bean
    public FakeDeviceDriver deviceDriver(FakeComputeDriver fake) {
        return new FakeDeviceDriver(fake);
    }

    @Bean
    public FakeImageCache imageCache() {
        return new FakeImageCache();
    }
}
