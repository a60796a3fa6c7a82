package dev.computeagent.agent.cli;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An operator's tool: publishes one command (a DESIGN.md §3 envelope read from a file or stdin)
 * to {@code compute} with routing key {@code compute.<host>}, waits for the reply on a private
 * queue, and prints it. Exit status: 0 when the reply carries no error, 1 when it does, 2 on
 * usage errors or when no reply arrives in time.
 *
 * <pre>
 * java -cp compute-agent.jar -Dloader.main=dev.computeagent.agent.cli.SendCommand \
 *      org.springframework.boot.loader.launch.PropertiesLauncher \
 *      --host node-7 [--amqp amqp://guest:guest@127.0.0.1:5672] [--timeout 120] command.json|-
 * </pre>
 */
public final class SendCommand {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private SendCommand() {
    }

    public static void main(String[] args) throws Exception {
        String host = null;
        String amqp = "amqp://guest:guest@127.0.0.1:5672";
        int timeoutSeconds = 120;
        String source = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--host" -> host = args[++i];
                case "--amqp" -> amqp = args[++i];
                case "--timeout" -> timeoutSeconds = Integer.parseInt(args[++i]);
                default -> source = args[i];
            }
        }
        if (host == null || source == null) {
            System.err.println("usage: SendCommand --host HOST [--amqp URI] [--timeout SECONDS] FILE|-");
            System.exit(2);
        }
        byte[] body = read(source);
        JsonNode reply = send(amqp, host, body, timeoutSeconds);
        if (reply == null) {
            System.err.println("no reply within " + timeoutSeconds + " s");
            System.exit(2);
        }
        System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(reply));
        System.exit(reply.path("error").isNull() || reply.path("error").isMissingNode() ? 0 : 1);
    }

    /** Publishes {@code body} to the agent of {@code host}; returns its reply, or null on timeout. */
    static JsonNode send(String amqpUri, String host, byte[] body, int timeoutSeconds) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(amqpUri);
        try (Connection connection = factory.newConnection("compute-agent-cli");
             Channel channel = connection.createChannel()) {
            String replyQueue = channel.queueDeclare().getQueue();
            String correlationId = UUID.randomUUID().toString();
            BlockingQueue<byte[]> replies = new ArrayBlockingQueue<>(1);
            channel.basicConsume(replyQueue, true, (tag, delivery) -> {
                if (correlationId.equals(delivery.getProperties().getCorrelationId())) {
                    replies.offer(delivery.getBody());
                }
            }, tag -> { });
            AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
                    .contentType("application/json").contentEncoding("utf-8").deliveryMode(2)
                    .replyTo(replyQueue).correlationId(correlationId).build();
            channel.confirmSelect();
            channel.basicPublish("compute", "compute." + host, true, properties, body);
            channel.waitForConfirmsOrDie(10_000);
            byte[] reply = replies.poll(timeoutSeconds, TimeUnit.SECONDS);
            return reply == null ? null : JSON.readTree(new String(reply, StandardCharsets.UTF_8));
        }
    }

    private static byte[] read(String source) throws IOException {
        if ("-".equals(source)) {
            try (InputStream in = System.in) {
                return in.readAllBytes();
            }
        }
        return Files.readAllBytes(Path.of(source));
    }
}
