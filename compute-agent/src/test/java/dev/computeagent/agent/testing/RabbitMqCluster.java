package dev.computeagent.agent.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.Network;
import org.testcontainers.rabbitmq.RabbitMQContainer;
import org.testcontainers.utility.DockerImageName;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * RabbitMQ brokers a test owns, started by Testcontainers from the local Debian image
 * ({@link ContainerImages#rabbitMq()}), so that a test may restart, kill or reconfigure them without
 * touching the machine's shared broker. Each node's AMQP port is published on a random host port
 * (never 5672) and reached on 127.0.0.1; Ryuk is disabled (surefire's environment in
 * {@code compute-agent/pom.xml}), so {@link #close()} removes every container and the network.
 *
 * <p>{@link #start(int)} with 3 makes a real cluster: node 1 starts, the others join it with
 * {@code rabbitmqctl join_cluster}, and quorum queues declared afterwards have a member on each.
 */
public final class RabbitMqCluster implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

    private final Network network = Network.newNetwork();
    private final List<RabbitMQContainer> nodes = new ArrayList<>();
    private final List<String> hostnames = new ArrayList<>();
    private final String user;
    private final String password;

    private RabbitMqCluster(String user, String password) {
        this.user = user;
        this.password = password;
    }

    /** {@code size} nodes, clustered, all running, with one user {@code user}/{@code password}. */
    public static RabbitMqCluster start(int size, String user, String password) {
        return start(size, user, password, node -> node);
    }

    /**
     * As {@link #start(int, String, String)}, each node changed by {@code configure} before it starts
     * (files copied into {@code /etc/rabbitmq/conf.d/}, for instance TLS listeners).
     */
    public static RabbitMqCluster start(int size, String user, String password,
                                        UnaryOperator<RabbitMQContainer> configure) {
        Docker.require();
        if (!"true".equals(System.getenv("TESTCONTAINERS_RYUK_DISABLED"))
                || System.getenv("TESTCONTAINERS_HOST_OVERRIDE") == null) {
            throw new IllegalStateException("set TESTCONTAINERS_RYUK_DISABLED=true and TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1"
                    + " (compute-agent/pom.xml does for surefire): Ryuk's image cannot be pulled here");
        }
        RabbitMqCluster cluster = new RabbitMqCluster(user, password);
        try {
            String image = ContainerImages.rabbitMq();
            String cookie = UUID.randomUUID().toString().replace("-", "");
            for (int i = 1; i <= size; i++) {
                cluster.hostnames.add("rmq-" + i);
                cluster.nodes.add(configure.apply(node(image, "rmq-" + i, cookie, cluster.network, user, password)));
            }
            cluster.nodes.get(0).start();
            cluster.nodes.subList(1, size).parallelStream().forEach(RabbitMQContainer::start);
            for (RabbitMQContainer node : cluster.nodes.subList(1, size)) {
                cluster.ctl(node, "stop_app");
                cluster.ctl(node, "join_cluster", cluster.nodeName(cluster.nodes.get(0)));
                cluster.ctl(node, "start_app");
            }
            cluster.ctl(cluster.nodes.get(0), "await_online_nodes", Integer.toString(size));
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    private static RabbitMQContainer node(String image, String hostname, String cookie, Network network, String user,
                                          String password) {
        @SuppressWarnings("resource") // closed by RabbitMqCluster.close
        RabbitMQContainer node = new RabbitMQContainer(DockerImageName.parse(image).asCompatibleSubstituteFor("rabbitmq"))
                .withAdminUser(user).withAdminPassword(password)
                .withNetwork(network).withNetworkAliases(hostname)
                .withCreateContainerCmdModifier(cmd -> cmd.withHostName(hostname))
                .withEnv("RABBITMQ_ERLANG_COOKIE", cookie)
                .withStartupTimeout(Duration.ofMinutes(3));
        return node;
    }

    public List<RabbitMQContainer> nodes() {
        return List.copyOf(nodes);
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    /** {@code spring.rabbitmq.addresses} for every node: {@code 127.0.0.1:port,...} in node order. */
    public String addresses() {
        return nodes.stream().map(n -> "127.0.0.1:" + n.getAmqpPort()).collect(Collectors.joining(","));
    }

    /** The Erlang node name ({@code rabbit@rmq-2}) of {@code node}. */
    public String nodeName(RabbitMQContainer node) {
        return "rabbit@" + hostnames.get(nodes.indexOf(node));
    }

    /** The node that holds the leader of the quorum queue {@code queue}, asked on a running node. */
    public RabbitMQContainer leaderOf(String queue) {
        String leader = queueInfo(queue).path("leader").asString();
        return nodes.stream().filter(n -> nodeName(n).equals(leader)).findFirst()
                .orElseThrow(() -> new IllegalStateException("leader " + leader + " is no node of this cluster"));
    }

    /**
     * The consumers the broker delivers {@code queue}'s messages to. A consumer whose node died is
     * kept by a quorum queue as inactive (the node might only be cut off) and is not counted here,
     * where a client's {@code queue.declare} would count it.
     */
    public int consumersOf(String queue) {
        return queueInfo(queue).path("consumers").asInt();
    }

    private JsonNode queueInfo(String queue) {
        RabbitMQContainer running = nodes.stream().filter(RabbitMQContainer::isRunning).findFirst().orElseThrow();
        JsonNode queues = JSON.readTree(ctl(running, "list_queues", "name", "leader", "consumers", "--formatter", "json"));
        for (JsonNode q : queues) {
            if (queue.equals(q.path("name").asString())) {
                return q;
            }
        }
        throw new IllegalStateException("no queue " + queue + " in " + queues);
    }

    /** SIGKILL to the node's broker: no goodbye to clients or peers. */
    public void kill(RabbitMQContainer node) {
        node.getDockerClient().killContainerCmd(node.getContainerId()).withSignal("KILL").exec();
        await().atMost(COMMAND_TIMEOUT).until(() -> !node.isRunning());
    }

    /** Freezes every process of the node (docker pause): its TCP peers see silence, not a close. */
    public void pause(RabbitMQContainer node) {
        node.getDockerClient().pauseContainerCmd(node.getContainerId()).exec();
    }

    public void unpause(RabbitMQContainer node) {
        node.getDockerClient().unpauseContainerCmd(node.getContainerId()).exec();
    }

    /** {@code rabbitmqctl -q args...} inside {@code node}; its stdout. */
    public String ctl(RabbitMQContainer node, String... args) {
        List<String> command = new ArrayList<>(List.of("rabbitmqctl", "-q"));
        command.addAll(List.of(args));
        try {
            ExecResult result = node.execInContainer(command.toArray(String[]::new));
            if (result.getExitCode() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " on " + nodeName(node) + " exited with "
                        + result.getExitCode() + ": " + result.getStderr() + result.getStdout());
            }
            return result.getStdout();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run rabbitmqctl on " + nodeName(node), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        for (RabbitMQContainer node : nodes) {
            try {
                if (node.getContainerId() != null && isPaused(node)) {
                    unpause(node);
                }
            } catch (RuntimeException e) {
                // stopping it anyway
            }
            node.stop();
        }
        network.close();
    }

    private static boolean isPaused(RabbitMQContainer node) {
        return Boolean.TRUE.equals(node.getDockerClient().inspectContainerCmd(node.getContainerId()).exec()
                .getState().getPaused());
    }
}
