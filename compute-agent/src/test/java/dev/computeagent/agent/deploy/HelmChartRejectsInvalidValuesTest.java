package dev.computeagent.agent.deploy;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Values that would deploy a broken agent are refused by {@code helm template} itself
 * (values.schema.json, or the chart's own checks), with a message naming the problem.
 */
class HelmChartRejectsInvalidValuesTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            values-invalid-unknown-key.yaml   | config: Additional property maxConcurrentOperation is not allowed
            values-invalid-virt-type.yaml     | config.libvirt.virtType must be one of the following: "auto", "kvm", "qemu"
            values-invalid-bandwidth.yaml     | config.libvirt.migrationBandwidthMibPerSecond: Must be greater than or equal to 0
            values-invalid-port.yaml          | config.serverPort: Must be less than or equal to 65535
            values-invalid-duration.yaml      | config.heartbeatInterval: Does not match pattern
            values-invalid-grace-period.yaml  | terminationGracePeriodSeconds (100) must be above config.shutdownTimeoutSeconds (120)
            values-invalid-internal-key.yaml  | internalAuth.key
            """)
    void valuesAreRefusedWithAMessageNamingTheProblem(String valuesFile, String expectedInMessage) {
        HelmChart chart = new HelmChart();

        assertThatThrownBy(() -> chart.render(ProjectFiles.testResource(valuesFile)))
                .hasMessageContaining(expectedInMessage);
    }
}
