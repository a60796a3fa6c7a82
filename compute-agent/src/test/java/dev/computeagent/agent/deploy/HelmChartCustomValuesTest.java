package dev.computeagent.agent.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.agent.deploy.HelmChart.Node;
import dev.computeagent.agent.deploy.HelmChart.Rendered;
import dev.computeagent.agent.testing.AgentPropertyKeys;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code helm template} with non-default values ({@code deploy/values-custom.yaml} and others). */
class HelmChartCustomValuesTest {

    private static final String STATE_DIR = "/srv/compute-agent";

    private static Rendered rendered;
    private static Node pod;
    private static Node agent;
    private static Map<String, Object> config;

    @BeforeAll
    static void render() {
        rendered = new HelmChart().render(ProjectFiles.testResource("values-custom.yaml"));
        pod = rendered.one("DaemonSet").at("spec.template.spec");
        agent = pod.named("containers", "agent");
        config = rendered.one("ConfigMap").map("data");
    }

    @Test
    void existingSecretReplacesTheChartsSecretWithItsOwnKeys() {
        assertThat(rendered.ofKind("Secret")).isEmpty();
        assertThat(agent.named("env", "SPRING_RABBITMQ_USERNAME").map("valueFrom.secretKeyRef"))
                .isEqualTo(Map.of("name", "compute-agent-credentials", "key", "user"));
        assertThat(agent.named("env", "SPRING_RABBITMQ_PASSWORD").map("valueFrom.secretKeyRef"))
                .isEqualTo(Map.of("name", "compute-agent-credentials", "key", "pass"));
        assertThat(agent.named("env", "AGENT_IMAGE_STORE_TOKEN").map("valueFrom.secretKeyRef"))
                .isEqualTo(Map.of("name", "compute-agent-credentials", "key", "glance-token", "optional", true));
        assertThat(rendered.one("DaemonSet").map("spec.template.metadata.annotations"))
                .containsKey("checksum/config").doesNotContainKey("checksum/secret")
                .doesNotContainKey("checksum/internal-keys");
    }

    @Test
    void anOperatorsKeySecretWithSeveralKeysIsMountedAndTheActiveKeyNamed() {
        assertThat(pod.named("volumes", "internal-keys").text("secret.secretName")).isEqualTo("compute-agent-keys");
        assertThat(config).containsEntry("AGENT_INTERNAL_AUTH_ACTIVE_KEY_ID", "2026-02")
                .containsEntry("AGENT_INTERNAL_AUTH_KEYS_DIR", "/etc/compute-agent/internal-keys");
        assertThat(AgentPropertyKeys.sets("AGENT_INTERNAL_AUTH_ACTIVE_KEY_ID", "agent.internal-auth.active-key-id"))
                .isTrue();
        // non-root: the key files' group is the agent's (mode 0440)
        assertThat(pod.map("securityContext")).containsEntry("fsGroup", 10001);
    }

    @Test
    void knownLibvirtGroupRunsTheAgentAsItsNonRootUser() {
        assertThat(pod.map("securityContext")).containsEntry("runAsNonRoot", true).containsEntry("runAsUser", 10001)
                .containsEntry("runAsGroup", 10001).containsEntry("supplementalGroups", List.of(120));
        Node init = pod.named("initContainers", "prepare-state-dir");
        assertThat(init.list("command")).extracting(Node::value)
                .containsExactly("find", STATE_DIR, "-maxdepth", "2", "-type", "d", "-exec", "chown", "10001:10001", "{}", "+");
        assertThat(init.map("securityContext.capabilities"))
                .isEqualTo(Map.of("drop", List.of("ALL"), "add", List.of("CHOWN")));
        assertThat(init.at("securityContext.allowPrivilegeEscalation").value()).isEqualTo(false);
        assertThat(init.named("volumeMounts", "state").text("mountPath")).isEqualTo(STATE_DIR);
        assertThat(agent.map("securityContext.capabilities")).isEqualTo(Map.of("drop", List.of("ALL")));
    }

    @Test
    void stateDirPortAndShutdownBoundReachEveryPlaceThatUsesThem() {
        assertThat(pod.named("volumes", "state").text("hostPath.path")).isEqualTo(STATE_DIR);
        assertThat(agent.named("volumeMounts", "state").text("mountPath")).isEqualTo(STATE_DIR);
        assertThat(agent.named("ports", "http").at("containerPort").value()).isEqualTo(18080);
        assertThat(pod.at("terminationGracePeriodSeconds").value()).isEqualTo(360);
        assertThat(config).containsEntry("AGENT_STATE_DIR", STATE_DIR)
                .containsEntry("SERVER_PORT", "18080")
                .containsEntry("AGENT_SHUTDOWN_TIMEOUT", "300s")
                .containsEntry("SPRING_LIFECYCLE_TIMEOUT_PER_SHUTDOWN_PHASE", "330s")
                .containsEntry("AGENT_LIBVIRT_VIRT_TYPE", "qemu")
                .containsEntry("AGENT_LIBVIRT_MIGRATION_BANDWIDTH", "200")
                .containsEntry("AGENT_LIBVIRT_MIGRATION_AUTO_CONVERGE", "true")
                .containsEntry("AGENT_LIBVIRT_MIGRATION_PERMIT_POST_COPY", "true")
                .containsEntry("AGENT_LIBVIRT_MIGRATION_POST_COPY_AFTER", "45s")
                .containsEntry("AGENT_IMAGE_STORE_URL", "https://glance.example:9292")
                .containsEntry("AGENT_HEARTBEAT_INTERVAL", "15s")
                .containsEntry("AGENT_MAX_CONCURRENT_OPERATIONS", "16")
                .containsEntry("AGENT_MAX_CONCURRENT_DOWNLOADS", "2")
                .containsEntry("AGENT_DELIVERY_LIMIT", "3")
                .containsEntry("AGENT_POWER_SYNC_INTERVAL", "5m")
                .containsEntry("SPRING_RABBITMQ_HOST", "rabbitmq.messaging.svc")
                .containsEntry("SPRING_RABBITMQ_PORT", "5671")
                .containsEntry("SPRING_RABBITMQ_VIRTUAL_HOST", "cloud")
                .containsEntry("SPRING_RABBITMQ_SSL_ENABLED", "true")
                .containsEntry("LOGGING_LEVEL_DEV_COMPUTEAGENT", "DEBUG");
    }

    @Test
    void everyAgentVariableTheChartSetsIsOneOfTheAgentsKeys() {
        List<String> keys = AgentPropertyKeys.all();
        List<String> variables = new ArrayList<>(config.keySet());
        agent.list("env").forEach(n -> variables.add(n.text("name")));
        List<String> agentVariables = variables.stream().filter(v -> v.startsWith("AGENT_")).toList();

        assertThat(agentVariables).hasSizeGreaterThanOrEqualTo(14);
        for (String variable : agentVariables) {
            assertThat(keys).as(variable + " sets a key of the agent")
                    .anyMatch(key -> AgentPropertyKeys.sets(variable, key));
        }
    }

    @Test
    void migrationUriMayUseTheNodeIpDeclaredBeforeIt() {
        List<String> names = agent.list("env").stream().map(n -> n.text("name")).toList();
        assertThat(agent.named("env", "NODE_IP").text("valueFrom.fieldRef.fieldPath")).isEqualTo("status.hostIP");
        assertThat(agent.named("env", "AGENT_LIBVIRT_MIGRATION_URI").text("value")).isEqualTo("qemu+tcp://$(NODE_IP)/system");
        // Kubernetes expands $(VAR) only from variables defined earlier in the list
        assertThat(names.indexOf("NODE_IP")).isLessThan(names.indexOf("AGENT_LIBVIRT_MIGRATION_URI"));
    }

    @Test
    void schedulingImageAndResourcesComeFromValues() {
        assertThat(pod.map("nodeSelector")).containsExactly(Map.entry("node-role.example/compute", "yes"));
        assertThat(pod.list("tolerations")).extracting(Node::value).containsExactly(Map.of(
                "key", "dedicated", "operator", "Equal", "value", "compute", "effect", "NoSchedule"));
        assertThat(agent.text("image")).isEqualTo("registry.example/compute-agent:1.2.3");
        assertThat(agent.text("imagePullPolicy")).isEqualTo("Always");
        assertThat(agent.map("resources.limits")).containsEntry("memory", "1Gi");
    }

    @Test
    void serviceMonitorScrapesThePrometheusEndpointThroughAHeadlessService() {
        Node service = rendered.one("Service");
        assertThat(service.text("spec.clusterIP")).isEqualTo("None");
        assertThat(service.named("spec.ports", "http").at("port").value()).isEqualTo(18080);
        Map<String, Object> podLabels = rendered.one("DaemonSet").map("spec.template.metadata.labels");
        assertThat(podLabels).containsAllEntriesOf(service.map("spec.selector"));

        Node monitor = rendered.one("ServiceMonitor");
        assertThat(monitor.text("apiVersion")).isEqualTo("monitoring.coreos.com/v1");
        assertThat(monitor.map("metadata.labels")).containsEntry("release", "prometheus");
        assertThat(monitor.map("spec.selector.matchLabels")).isEqualTo(service.map("spec.selector"));
        Node endpoint = monitor.list("spec.endpoints").get(0);
        assertThat(endpoint.text("port")).isEqualTo("http");
        assertThat(endpoint.text("path")).isEqualTo(ApplicationFacts.read().actuatorBasePath() + "/prometheus");
        assertThat(endpoint.text("interval")).isEqualTo("15s");
    }

    @Test
    void configChangeChangesTheChecksumSoPodsRoll() {
        Object custom = rendered.one("DaemonSet").map("spec.template.metadata.annotations").get("checksum/config");
        Object defaults = new HelmChart().render(null).one("DaemonSet")
                .map("spec.template.metadata.annotations").get("checksum/config");
        assertThat(custom).isNotEqualTo(defaults);
    }

    @Test
    void chartSecretHoldsTheGivenCredentialsAndToken() {
        Rendered withToken = new HelmChart().render(ProjectFiles.testResource("values-token.yaml"));
        Map<String, Object> data = withToken.named("Secret", HelmChart.RELEASE + "-compute-agent").map("data");
        assertThat(data.keySet()).containsExactlyInAnyOrder("rabbitmq-username", "rabbitmq-password", "image-store-token");
        assertThat(decode(data.get("rabbitmq-username"))).isEqualTo("agent");
        assertThat(decode(data.get("rabbitmq-password"))).isEqualTo("s3cret");
        assertThat(decode(data.get("image-store-token"))).isEqualTo("glance-token-value");
        assertThat(withToken.one("ConfigMap").map("data").values()).noneMatch(v -> String.valueOf(v).contains("s3cret"));
        Map<String, Object> keys = withToken.named("Secret", HelmChart.RELEASE + "-compute-agent-internal-keys")
                .map("data");
        assertThat(keys.keySet()).containsExactly("k-2026");
        assertThat(decode(keys.get("k-2026"))).isEqualTo("given-key-0123456789abcdefghijklmnopqrstuvwxyz");
        assertThat(withToken.one("DaemonSet").map("spec.template.metadata.annotations"))
                .containsKey("checksum/internal-keys");
    }

    private static String decode(Object base64) {
        return new String(Base64.getDecoder().decode(String.valueOf(base64)));
    }
}
