package dev.computeagent.agent.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.agent.deploy.HelmChart.Node;
import dev.computeagent.agent.deploy.HelmChart.Rendered;
import dev.computeagent.agent.testing.AgentPropertyKeys;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code helm template} with the chart's defaults: the DaemonSet and what it refers to. */
class HelmChartDefaultValuesTest {

    private static final String FULLNAME = HelmChart.RELEASE + "-compute-agent";

    private static ApplicationFacts app;
    private static Rendered rendered;
    private static Node daemonSet;
    private static Node pod;
    private static Node agent;
    private static Map<String, Object> config;

    @BeforeAll
    static void render() {
        app = ApplicationFacts.read();
        rendered = new HelmChart().render(null);
        daemonSet = rendered.one("DaemonSet");
        pod = daemonSet.at("spec.template.spec");
        agent = pod.named("containers", "agent");
        config = rendered.one("ConfigMap").map("data");
    }

    @Test
    void rendersTheDaemonSetWithItsConfigMapSecretAndServiceAccountOnly() {
        assertThat(rendered.objects()).extracting(o -> o.get("kind"))
                .containsExactlyInAnyOrder("ConfigMap", "Secret", "Secret", "ServiceAccount", "DaemonSet");
        assertThat(rendered.objects()).allSatisfy(o -> assertThat(new Node(o).text("metadata.namespace"))
                .isEqualTo(HelmChart.NAMESPACE));
    }

    @Test
    void runsOneAgentPerLabelledNodeOnTheHostNetwork() {
        assertThat(pod.map("nodeSelector")).containsExactly(Map.entry("compute-agent/enabled", "true"));
        assertThat(pod.at("hostNetwork").value()).isEqualTo(true);
        assertThat(pod.text("dnsPolicy")).isEqualTo("ClusterFirstWithHostNet");
        assertThat(daemonSet.text("spec.updateStrategy.type")).isEqualTo("RollingUpdate");
        assertThat(daemonSet.map("spec.updateStrategy.rollingUpdate"))
                .containsEntry("maxUnavailable", 1).containsEntry("maxSurge", 0);
        Map<String, Object> selector = daemonSet.map("spec.selector.matchLabels");
        assertThat(selector).containsEntry("app.kubernetes.io/name", "compute-agent")
                .containsEntry("app.kubernetes.io/instance", HelmChart.RELEASE);
        assertThat(daemonSet.map("spec.template.metadata.labels")).containsAllEntriesOf(selector)
                .containsEntry("app.kubernetes.io/component", "agent");
    }

    @Test
    void mountsTheLibvirtSocketDirAndTheDefaultStateDirFromTheHost() {
        assertThat(pod.named("volumes", "libvirt-run").map("hostPath"))
                .containsEntry("path", "/run/libvirt").containsEntry("type", "Directory");
        assertThat(pod.named("volumes", "state").map("hostPath"))
                .containsEntry("path", app.stateDir()).containsEntry("type", "DirectoryOrCreate");
        assertThat(agent.named("volumeMounts", "libvirt-run").value()).isEqualTo(Map.of(
                "name", "libvirt-run", "mountPath", "/run/libvirt", "mountPropagation", "HostToContainer"));
        assertThat(agent.named("volumeMounts", "state").text("mountPath")).isEqualTo(app.stateDir());
        assertThat(config).containsEntry("AGENT_STATE_DIR", app.stateDir())
                .containsEntry("AGENT_LIBVIRT_URI", "qemu:///system");
    }

    @Test
    void probesUseTheActuatorHealthGroupsOnTheServerPort() {
        Node port = agent.named("ports", "http");
        assertThat(port.at("containerPort").value()).isEqualTo(app.serverPort());
        assertThat(config).containsEntry("SERVER_PORT", String.valueOf(app.serverPort()));
        assertThat(agent.map("startupProbe.httpGet"))
                .isEqualTo(Map.of("path", app.healthGroupPath("liveness"), "port", "http"));
        assertThat(agent.map("livenessProbe.httpGet"))
                .isEqualTo(Map.of("path", app.healthGroupPath("liveness"), "port", "http"));
        assertThat(agent.map("readinessProbe.httpGet"))
                .isEqualTo(Map.of("path", app.healthGroupPath("readiness"), "port", "http"));
        int startupBudget = (Integer) agent.at("startupProbe.periodSeconds").value()
                * (Integer) agent.at("startupProbe.failureThreshold").value();
        assertThat(startupBudget).as("seconds a starting agent gets to reconcile").isGreaterThanOrEqualTo(120);
    }

    @Test
    void gracePeriodOutlastsTheAgentsShutdownBound() {
        long bound = app.shutdownTimeout().toSeconds();
        assertThat(config).containsEntry("AGENT_SHUTDOWN_TIMEOUT", bound + "s")
                .containsEntry("SPRING_LIFECYCLE_TIMEOUT_PER_SHUTDOWN_PHASE", (bound + 30) + "s");
        int grace = (Integer) pod.at("terminationGracePeriodSeconds").value();
        assertThat(grace).isEqualTo(bound + 60).isGreaterThan((int) app.shutdownPhaseTimeout().toSeconds());
    }

    @Test
    void credentialsComeFromTheChartsSecretAndNeverFromTheConfigMap() {
        Node secret = rendered.named("Secret", FULLNAME);
        Map<String, Object> data = secret.map("data");
        assertThat(decode(data.get("rabbitmq-username"))).isEqualTo("compute-agent");
        assertThat(data).containsKey("rabbitmq-password").doesNotContainKey("image-store-token");

        assertThat(agent.named("env", "SPRING_RABBITMQ_USERNAME").map("valueFrom.secretKeyRef"))
                .isEqualTo(Map.of("name", FULLNAME, "key", "rabbitmq-username"));
        assertThat(agent.named("env", "SPRING_RABBITMQ_PASSWORD").map("valueFrom.secretKeyRef"))
                .isEqualTo(Map.of("name", FULLNAME, "key", "rabbitmq-password"));
        assertThat(agent.named("env", "AGENT_IMAGE_STORE_TOKEN").map("valueFrom.secretKeyRef"))
                .isEqualTo(Map.of("name", FULLNAME, "key", "image-store-token", "optional", true));
        assertThat(config.keySet()).noneMatch(k -> k.contains("PASSWORD") || k.contains("TOKEN") || k.contains("USERNAME"));
        assertThat(agent.list("envFrom")).extracting(n -> n.text("configMapRef.name")).containsExactly(FULLNAME);
    }

    @Test
    void theAgentToAgentKeyIsGeneratedIntoItsOwnSecretAndMountedReadOnly() {
        Map<String, Object> keys = rendered.named("Secret", FULLNAME + "-internal-keys").map("data");
        assertThat(keys).containsOnlyKeys("default");
        String key = decode(keys.get("default"));
        assertThat(key).matches("[A-Za-z0-9]{64}");
        String again = decode(new HelmChart().render(null).named("Secret", FULLNAME + "-internal-keys")
                .map("data").get("default"));
        assertThat(again).as("generated, not a fixed default").isNotEqualTo(key);

        assertThat(pod.named("volumes", "internal-keys").map("secret"))
                .containsEntry("secretName", FULLNAME + "-internal-keys").containsEntry("defaultMode", 0440);
        assertThat(agent.named("volumeMounts", "internal-keys").value()).isEqualTo(Map.of(
                "name", "internal-keys", "mountPath", "/etc/compute-agent/internal-keys", "readOnly", true));
        assertThat(config).containsEntry("AGENT_INTERNAL_AUTH_KEYS_DIR", "/etc/compute-agent/internal-keys")
                .doesNotContainKey("AGENT_INTERNAL_AUTH_ACTIVE_KEY_ID");
        assertThat(AgentPropertyKeys.sets("AGENT_INTERNAL_AUTH_KEYS_DIR", "agent.internal-auth.keys-dir")).isTrue();
        assertThat(config.values()).noneMatch(v -> String.valueOf(v).contains(key));
        assertThat(agent.list("env")).extracting(n -> n.text("name")).noneMatch(n -> n.contains("INTERNAL_AUTH_KEY"));
    }

    @Test
    void anUpgradeKeepsTheKeyTheInstallGenerated() {
        HelmChart chart = new HelmChart();
        String installed = "k".repeat(20) + "generated-at-install-0123456789ABCDEFGHIJKLMNOPQRST";
        chart.cluster().putSecret(HelmChart.NAMESPACE, FULLNAME + "-internal-keys", Map.of("default", installed));
        try {
            Map<String, Object> upgraded = chart.render(null).named("Secret", FULLNAME + "-internal-keys").map("data");

            assertThat(upgraded).containsOnlyKeys("default");
            assertThat(decode(upgraded.get("default"))).as("read back from the cluster").isEqualTo(installed);
        } finally {
            chart.cluster().removeSecret(HelmChart.NAMESPACE, FULLNAME + "-internal-keys");
        }
    }

    @Test
    void agentHostIsTheNodeNameAndEverySection6KeyIsSet() {
        assertThat(agent.named("env", "AGENT_HOST").text("valueFrom.fieldRef.fieldPath")).isEqualTo("spec.nodeName");
        assertThat(config).containsKeys("AGENT_STATE_DIR", "AGENT_LIBVIRT_URI", "AGENT_LIBVIRT_VIRT_TYPE",
                        "AGENT_HEARTBEAT_INTERVAL", "AGENT_MAX_CONCURRENT_OPERATIONS", "SPRING_RABBITMQ_HOST",
                        "SPRING_RABBITMQ_PORT", "SERVER_PORT")
                .containsEntry("AGENT_LIBVIRT_VIRT_TYPE", "kvm")
                .containsEntry("AGENT_HEARTBEAT_INTERVAL", "30s")
                .containsEntry("AGENT_MAX_CONCURRENT_OPERATIONS", "0")
                .containsEntry("AGENT_LIBVIRT_MIGRATION_BANDWIDTH", "0")
                .containsEntry("AGENT_LIBVIRT_MIGRATION_AUTO_CONVERGE", "false")
                .containsEntry("AGENT_LIBVIRT_MIGRATION_PERMIT_POST_COPY", "false")
                .containsEntry("AGENT_LIBVIRT_MIGRATION_POST_COPY_AFTER", "60s")
                // empty values mean the agent's own defaults: not set at all
                .doesNotContainKey("AGENT_IMAGE_STORE_URL");
        assertThat(agent.list("env")).extracting(n -> n.text("name")).doesNotContain("AGENT_LIBVIRT_MIGRATION_URI");
    }

    @Test
    void agentHasNoPrivilegeNoCapabilityAndNoServiceAccountToken() {
        assertThat(agent.at("securityContext").value()).isEqualTo(Map.of(
                "allowPrivilegeEscalation", false,
                "privileged", false,
                "readOnlyRootFilesystem", true,
                "capabilities", Map.of("drop", List.of("ALL"))));
        assertThat(pod.named("volumes", "tmp").has("emptyDir")).isTrue();
        assertThat(agent.named("volumeMounts", "tmp").text("mountPath")).isEqualTo("/tmp");
        assertThat(pod.at("automountServiceAccountToken").value()).isEqualTo(false);
        Node serviceAccount = rendered.one("ServiceAccount");
        assertThat(serviceAccount.at("automountServiceAccountToken").value()).isEqualTo(false);
        assertThat(pod.text("serviceAccountName")).isEqualTo(serviceAccount.text("metadata.name"));
        // without the host's libvirt group id the agent runs as the socket's owner, root, with no capability
        assertThat(pod.map("securityContext")).containsEntry("runAsUser", 0).containsEntry("runAsNonRoot", false)
                .doesNotContainKey("supplementalGroups");
        assertThat(pod.has("initContainers")).isFalse();
    }

    @Test
    void podTemplateCarriesChecksumsOfConfigAndSecret() {
        Map<String, Object> annotations = daemonSet.map("spec.template.metadata.annotations");
        assertThat(String.valueOf(annotations.get("checksum/config"))).matches("[0-9a-f]{64}");
        assertThat(String.valueOf(annotations.get("checksum/secret"))).matches("[0-9a-f]{64}");
    }

    @Test
    void resourcesAndImageComeFromValues() {
        // the chart's appVersion is the project's version: the tag `docker build` is documented with
        assertThat(agent.text("image")).isEqualTo("compute-agent:" + app.version());
        assertThat(agent.map("resources.requests")).containsEntry("cpu", "100m").containsEntry("memory", "384Mi");
        assertThat(agent.map("resources.limits")).containsEntry("memory", "768Mi");
    }

    private static String decode(Object base64) {
        return new String(Base64.getDecoder().decode(String.valueOf(base64)));
    }
}
