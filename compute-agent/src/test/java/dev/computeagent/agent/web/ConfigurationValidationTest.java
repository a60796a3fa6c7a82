package dev.computeagent.agent.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.computeagent.agent.web.support.AgentWebTestApplication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * An invalid {@code agent.*} value stops the agent at start-up, and the failure report an operator
 * reads names the key, the rejected value and the reason.
 */
@ExtendWith(OutputCaptureExtension.class)
class ConfigurationValidationTest {

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "agent.max-concurrent-operations | -1    | must be greater than or equal to 1",
            "agent.max-concurrent-operations | 100000 | must be less than or equal to 256",
            "agent.libvirt.virt-type         | xen   | agent.libvirt.virt-type must be auto, kvm or qemu",
            "agent.host                      | bad host! | agent.host must be 1-128 chars of [A-Za-z0-9._-]",
            "agent.delivery-limit            | -1    | must be greater than or equal to 1",
            "agent.heartbeat-interval        | often | is not a valid duration",
            "agent.config-drive.availability-zone | my zone | agent.config-drive.availability-zone must be 1-255 chars",
    })
    void invalidValueFailsStartUpWithAReportNamingTheKey(String key, String value, String reason,
                                                         CapturedOutput output) {
        SpringApplicationBuilder agent = new SpringApplicationBuilder(AgentWebTestApplication.class)
                .web(WebApplicationType.NONE)
                .properties("spring.rabbitmq.port=1", "agent.state-dir=target/agent-web-state", key + "=" + value);

        assertThatThrownBy(agent::run).isInstanceOf(RuntimeException.class);

        String all = output.getAll();
        assertThat(all).contains("APPLICATION FAILED TO START");
        String report = all.substring(all.lastIndexOf("APPLICATION FAILED TO START"));
        assertThat(report).contains(key).contains("Value: \"" + value + "\"").contains(reason);
    }

    @Test
    void aDownloadRateOfZeroFailsStartUpWithAReportNamingTheKeyAndValue(CapturedOutput output) {
        SpringApplicationBuilder agent = new SpringApplicationBuilder(AgentWebTestApplication.class)
                .web(WebApplicationType.NONE)
                .properties("spring.rabbitmq.port=1", "agent.state-dir=target/agent-web-state",
                        "agent.image-store.download-min-rate=0KB");

        assertThatThrownBy(agent::run).isInstanceOf(RuntimeException.class);

        String all = output.getAll();
        assertThat(all.substring(all.lastIndexOf("APPLICATION FAILED TO START")))
                .contains("agent.image-store.download-min-rate must be at least 1B (per second), not 0B");
    }
}
