package dev.computeagent.agent.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.LintResult;
import org.junit.jupiter.api.Test;

/** {@code helm lint --strict}: warnings fail like errors. */
class HelmChartLintTest {

    @Test
    void chartPassesStrictLint() {
        LintResult result = new HelmChart().lintStrict();

        assertThat(result.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
        assertThat(result.isFailed()).as("lint messages: %s", result.getMessages()).isFalse();
    }
}
