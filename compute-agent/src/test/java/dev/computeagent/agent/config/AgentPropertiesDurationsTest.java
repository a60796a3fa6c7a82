package dev.computeagent.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** Durations of the configuration (docs/configuration.md): a bare number is seconds, a unit is honoured. */
class AgentPropertiesDurationsTest {

    private static AgentProperties bind(Map<String, String> values) {
        return new Binder(new MapConfigurationPropertySource(values)).bindOrCreate("agent", AgentProperties.class);
    }

    @Test
    void bareNumbersAreSeconds() {
        AgentProperties p = bind(Map.of("agent.host", "h", "agent.heartbeat-interval", "45",
                "agent.power-sync-interval", "600", "agent.shutdown-timeout", "90"));
        assertThat(p.heartbeatInterval()).isEqualTo(Duration.ofSeconds(45));
        assertThat(p.powerSyncInterval()).isEqualTo(Duration.ofMinutes(10));
        assertThat(p.shutdownTimeout()).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void valuesWithAUnitKeepTheirUnit() {
        AgentProperties p = bind(Map.of("agent.host", "h", "agent.heartbeat-interval", "30s",
                "agent.power-sync-interval", "2m", "agent.shutdown-timeout", "1500ms"));
        assertThat(p.heartbeatInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(p.powerSyncInterval()).isEqualTo(Duration.ofMinutes(2));
        assertThat(p.shutdownTimeout()).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void defaultsAreUnchanged() {
        AgentProperties p = bind(Map.of("agent.host", "h"));
        assertThat(p.heartbeatInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(p.powerSyncInterval()).isEqualTo(Duration.ofMinutes(10));
        assertThat(p.shutdownTimeout()).isEqualTo(Duration.ofSeconds(120));
        assertThat(p.libvirt().migrationPermitPostCopy()).isFalse();
        assertThat(p.libvirt().migrationPostCopyAfter()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void postCopyIsPermittedByConfiguration() {
        AgentProperties p = bind(Map.of("agent.host", "h", "agent.libvirt.migration-permit-post-copy", "true",
                "agent.libvirt.migration-post-copy-after", "20"));
        assertThat(p.libvirt().migrationPermitPostCopy()).isTrue();
        assertThat(p.libvirt().migrationPostCopyAfter()).isEqualTo(Duration.ofSeconds(20));
    }
}
