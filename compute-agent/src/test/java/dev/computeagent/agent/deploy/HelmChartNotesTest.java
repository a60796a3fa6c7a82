package dev.computeagent.agent.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** NOTES.txt: what an operator reads after {@code helm install}, warnings included. */
class HelmChartNotesTest {

    private final HelmChart chart = new HelmChart();

    @Test
    void defaultInstallTellsHowToLabelNodesAndWarnsAboutWhatIsMissing() {
        String notes = chart.notes(null);

        assertThat(notes).contains("kubectl label node <node> compute-agent/enabled=true")
                .contains("rollout status daemonset/agent-compute-agent")
                .contains("curl http://<node address>:8080/actuator/health/readiness")
                .contains("WARNING: credentials.rabbitmqPassword is empty")
                .contains("WARNING: config.imageStore.url is empty")
                .contains("NOTE: libvirt.socketGroupId is not set");
    }

    @Test
    void completeValuesInstallWithoutWarnings() {
        String notes = chart.notes(ProjectFiles.testResource("values-custom.yaml"));

        assertThat(notes).contains("kubectl label node <node> node-role.example/compute=yes")
                .contains("compute.<node name> on rabbitmq.messaging.svc:5671")
                .contains(":18080/v1/status")
                .doesNotContain("WARNING").doesNotContain("NOTE:");
    }
}
