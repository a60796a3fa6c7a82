package dev.computeagent.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.computeagent.agent.amqp.CoreWithFakeDriverTestApplication;
import dev.computeagent.agent.testing.RabbitMqCluster;
import dev.computeagent.agent.testing.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.rabbitmq.RabbitMQContainer;
import org.testcontainers.utility.MountableFile;

/**
 * A broker this test owns (Testcontainers, local Debian image) that speaks only TLS, with a
 * certificate from a throw-away CA and one user that is not {@code guest}: the agent connects with
 * {@code SPRING_RABBITMQ_SSL_ENABLED} and the CA as an SSL bundle (certificate and host name
 * verified) and consumes its queue; the operator CLI reaches it with {@code amqps} and
 * {@code --amqp-ca}, refuses the broker without that CA, and reports a refused login without
 * printing the password.
 */
class BrokerTlsAndCredentialsDockerRabbitMqTest {

    private static final String TLS_CONF = """
            listeners.tcp = none
            listeners.ssl.default = 5671
            ssl_options.cacertfile = /etc/rabbitmq/tls/ca.pem
            ssl_options.certfile = /etc/rabbitmq/tls/server.pem
            ssl_options.keyfile = /etc/rabbitmq/tls/server.key
            ssl_options.verify = verify_none
            ssl_options.fail_if_no_peer_cert = false
            """;

    private final String host = "tls-" + UUID.randomUUID().toString().substring(0, 8);
    private RabbitMqCluster broker;
    private ConfigurableApplicationContext agent;
    private String out;
    private String err;

    @AfterEach
    void tearDown() {
        if (agent != null) {
            agent.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void agentAndCliVerifyTheBrokersCertificateAndLogInAsTheirOwnUser(@TempDir Path dir) throws Exception {
        TestCertificates certificates = TestCertificates.create(dir);
        String password = "pw-" + UUID.randomUUID();
        broker = RabbitMqCluster.start(1, "agent", password, node -> node
                .withCopyFileToContainer(MountableFile.forHostPath(certificates.ca(), 0644), "/etc/rabbitmq/tls/ca.pem")
                .withCopyFileToContainer(MountableFile.forHostPath(certificates.serverCert(), 0644),
                        "/etc/rabbitmq/tls/server.pem")
                .withCopyFileToContainer(MountableFile.forHostPath(certificates.serverKey(), 0644),
                        "/etc/rabbitmq/tls/server.key")
                .withCopyToContainer(Transferable.of(TLS_CONF), "/etc/rabbitmq/conf.d/10-tls.conf"));
        RabbitMQContainer node = broker.nodes().get(0);
        int amqps = node.getAmqpsPort();

        agent = new SpringApplicationBuilder(CoreWithFakeDriverTestApplication.class).web(WebApplicationType.NONE)
                .run("--agent.host=" + host, "--agent.state-dir=" + Files.createDirectory(dir.resolve("state")),
                        "--spring.rabbitmq.host=127.0.0.1", "--spring.rabbitmq.port=" + amqps,
                        "--spring.rabbitmq.username=agent", "--spring.rabbitmq.password=" + password,
                        "--spring.rabbitmq.ssl.enabled=true", "--spring.rabbitmq.ssl.bundle=broker",
                        "--spring.rabbitmq.ssl.verify-hostname=true",
                        "--spring.ssl.bundle.pem.broker.truststore.certificate=file:" + certificates.ca());
        await().atMost(Duration.ofMinutes(1)).ignoreExceptions()
                .until(() -> broker.consumersOf("compute." + host) == 1);

        String url = "amqps://agent:" + password + "@127.0.0.1:" + amqps;
        String uuid = UUID.randomUUID().toString();
        assertThat(ctl("--amqp", url, "--amqp-ca", certificates.ca().toString(), "spawn", "--host", host,
                "--image", "tiny", "--flavor", "vcpus=1,ram=64,disk=0", "--uuid", uuid)).as(err).isZero();
        assertThat(out).contains("instance.spawn.end").containsPattern("state\\s+ACTIVE");

        // the broker's certificate is not one the JVM trusts: without the CA the tool refuses it
        assertThat(ctl("--amqp", url, "delete", "--host", host, uuid)).isEqualTo(ComputeAgentCtl.NO_ANSWER);
        assertThat(err).contains("cannot connect to the broker amqps://127.0.0.1:" + amqps)
                .containsAnyOf("PKIX", "certificate");

        assertThat(ctl("--amqp", "amqps://agent:wrong-" + password + "@127.0.0.1:" + amqps,
                "--amqp-ca", certificates.ca().toString(), "delete", "--host", host, uuid))
                .isEqualTo(ComputeAgentCtl.NO_ANSWER);
        assertThat(err).contains("ACCESS_REFUSED").doesNotContain(password);
    }

    private int ctl(String... args) {
        CtlRun run = CtlRun.of(args);
        out = run.out();
        err = run.err();
        return run.exitCode();
    }
}
