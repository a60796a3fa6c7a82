package dev.computeagent.agent.jvm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which launches {@link JvmRelaunch} runs the agent in a second JVM for, and with what command. */
class JvmRelaunchTest {

    private static final long SIX_GIB = 6L << 30;
    private static final String JAR = "/opt/compute-agent/compute-agent.jar";
    private static final String[] ARGS = {"--agent.host=node-7"};

    private static JvmRelaunch.Launch plainJar(long maxHeap, List<String> jvmArguments, Map<String, String> env) {
        return new JvmRelaunch.Launch(maxHeap, "/usr/lib/jvm/17", JAR, JAR + " --agent.host=node-7", jvmArguments, env);
    }

    @Test
    void plainJarWithoutAHeapBoundRunsTheAgentWithTheRecommendedOptionsAndKeepsTheOperatorsOwn() {
        List<String> command = JvmRelaunch.childCommand(plainJar(SIX_GIB, List.of("-Dfoo=bar", "-XX:+UseG1GC"),
                Map.of()), ARGS).orElseThrow();

        assertThat(command.get(0)).isEqualTo("/usr/lib/jvm/17/bin/java");
        assertThat(command).contains("-Xmx128m", "-Xss512k", "-XX:TieredStopAtLevel=1", "-Dfoo=bar", "-XX:+UseG1GC")
                .as("the operator chose a collector: ours is not added beside it").doesNotContain("-XX:+UseSerialGC");
        assertThat(command.subList(command.size() - 3, command.size())).containsExactly("-jar", JAR, "--agent.host=node-7");
    }

    @Test
    void anOptionTheOperatorGaveIsNotGivenTwice() {
        List<String> command = JvmRelaunch.childCommand(plainJar(SIX_GIB, List.of("-Xss1m",
                "-XX:ReservedCodeCacheSize=96m"), Map.of()), ARGS).orElseThrow();

        assertThat(command).contains("-Xss1m", "-XX:ReservedCodeCacheSize=96m", "-XX:+UseSerialGC")
                .doesNotContain("-Xss512k", "-XX:ReservedCodeCacheSize=64m");
    }

    @Test
    void boundedHeapsClassPathLaunchesTheAgentItselfAndTheSwitchRunInTheirOwnJvm() {
        assertThat(JvmRelaunch.childCommand(plainJar(128L << 20, List.of("-Xmx128m"), Map.of()), ARGS)).isEmpty();
        assertThat(JvmRelaunch.childCommand(new JvmRelaunch.Launch(SIX_GIB, "/usr/lib/jvm/17", "/a.jar:/b.jar",
                "dev.computeagent.agent.ComputeAgentApplication", List.of(), Map.of()), ARGS)).isEmpty();
        assertThat(JvmRelaunch.childCommand(plainJar(SIX_GIB, List.of(), Map.of(JvmRelaunch.SUPERVISOR_PID, "42")),
                ARGS)).as("already the supervised agent").isEmpty();
        assertThat(JvmRelaunch.childCommand(plainJar(SIX_GIB, List.of(), Map.of(JvmRelaunch.SWITCH, "false")), ARGS))
                .isEmpty();
    }

    @Test
    void optionNamesAreWhatTheJvmKeysThemBy() {
        assertThat(JvmRelaunch.optionName("-XX:+UseSerialGC")).isEqualTo("UseSerialGC");
        assertThat(JvmRelaunch.optionName("-XX:-UseSerialGC")).isEqualTo("UseSerialGC");
        assertThat(JvmRelaunch.optionName("-XX:MaxMetaspaceSize=128m")).isEqualTo("MaxMetaspaceSize");
        assertThat(JvmRelaunch.optionName("-Xmx2g")).isEqualTo("-Xmx");
        assertThat(JvmRelaunch.optionName("-Dfoo=bar")).isEqualTo("-Dfoo=bar");
    }
}
