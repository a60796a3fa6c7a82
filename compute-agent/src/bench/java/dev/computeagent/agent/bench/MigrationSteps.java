package dev.computeagent.agent.bench;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Where the time of one agent migration goes, seen from the broker: records when each
 * {@code instance.migrate.*} event of the source and each {@code instance.migration.<step>.*} event of
 * the destination (the internal check / prepare / adopt commands, request id {@code <migrate id>.<step>})
 * arrived here, and turns them into consecutive phases (without check events, the check was asked within the
 * prepare: to-prepare runs from {@code instance.migrate.start}; without adopt events, the source ended on the
 * destination's arrival notice: to-end runs from the prepare's end to {@code instance.migrate.end}). All stamps are this JVM's
 * {@link System#nanoTime()} at delivery, so the broker's own latency largely cancels out of the phases.
 */
final class MigrationSteps implements AutoCloseable {

    /** Phase name and the two events (relative to the migrate request id) that bound it. */
    private static final List<String[]> PHASES = List.of(
            new String[] {"dispatch", null, "instance.migrate.start"},
            new String[] {"to-check", "instance.migrate.start", ".check instance.migration.check.start"},
            new String[] {"check", ".check instance.migration.check.start", ".check instance.migration.check.end"},
            new String[] {"to-prepare", ".check instance.migration.check.end", ".prepare instance.migration.prepare.start"},
            // the check within the prepare (a live migration that may go over shared storage): no check events
            new String[] {"to-prepare", "instance.migrate.start", ".prepare instance.migration.prepare.start"},
            new String[] {"prepare", ".prepare instance.migration.prepare.start", ".prepare instance.migration.prepare.end"},
            new String[] {"transfer", ".prepare instance.migration.prepare.end", ".adopt instance.migration.adopt.start"},
            new String[] {"adopt", ".adopt instance.migration.adopt.start", ".adopt instance.migration.adopt.end"},
            new String[] {"finish", ".adopt instance.migration.adopt.end", "instance.migrate.end"},
            // the source ended on the destination's arrival notice: no adopt
            new String[] {"to-end", ".prepare instance.migration.prepare.end", "instance.migrate.end"});

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final Connection connection;
    private final Map<String, Long> arrivals = new ConcurrentHashMap<>();
    private final List<Stamp> stamped = new CopyOnWriteArrayList<>();

    /** One event as its publisher stamped it: agent clock, publishing host, request id, event name. */
    record Stamp(Instant at, String host, String requestId, String event) {
    }

    MigrationSteps(String brokerHost, int brokerPort) throws Exception {
        ConnectionFactory cf = new ConnectionFactory();
        cf.setHost(brokerHost);
        cf.setPort(brokerPort);
        cf.setUsername("guest");
        cf.setPassword("guest");
        connection = cf.newConnection("agent-migration-bench-steps");
        Channel channel = connection.createChannel();
        channel.exchangeDeclare("compute.events", "topic", true);
        String q = channel.queueDeclare("", false, true, true, null).getQueue();
        channel.queueBind(q, "compute.events", "instance.migrate.*");
        channel.queueBind(q, "compute.events", "instance.migration.#");
        channel.basicConsume(q, true, (tag, d) -> {
            long now = System.nanoTime();
            JsonNode e = JSON.readTree(new String(d.getBody(), StandardCharsets.UTF_8));
            String key = e.path("request_id").asString("") + " " + e.path("event").asString("");
            arrivals.putIfAbsent(key, now);
            try {
                stamped.add(new Stamp(Instant.parse(e.path("timestamp").asString("")), e.path("host").asString(""),
                        e.path("request_id").asString(""), e.path("event").asString("")));
            } catch (DateTimeParseException unstamped) {
                // the phases do not need it; only the timeline does
            }
        }, tag -> { });
    }

    /** Phase name to milliseconds for one migrate request published at {@code publishedNanos}; missing events are left out. */
    Map<String, Double> phases(String requestId, long publishedNanos) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String[] phase : PHASES) {
            Long from = phase[1] == null ? Long.valueOf(publishedNanos) : arrivals.get(key(requestId, phase[1]));
            Long to = arrivals.get(key(requestId, phase[2]));
            if (from != null && to != null) {
                out.putIfAbsent(phase[0], (to - from) / 1e6);
            }
        }
        if (out.containsKey("adopt")) {
            out.remove("to-end");
        }
        return out;
    }

    /**
     * The migration's events (the migrate request's and its steps') with the publishing agent's own
     * {@code timestamp}, in that order (ties keep the order of arrival): to line them up with the
     * agents' log lines.
     */
    List<Stamp> agentStamps(String requestId) {
        List<Stamp> out = new ArrayList<>();
        for (Stamp s : stamped) {
            if (s.requestId().equals(requestId) || s.requestId().startsWith(requestId + ".")) {
                out.add(s);
            }
        }
        out.sort(Comparator.comparing(Stamp::at));
        return out;
    }

    static List<String> phaseNames() {
        return PHASES.stream().map(p -> p[0]).distinct().toList();
    }

    private static String key(String requestId, String suffixAndEvent) {
        // ".check instance.migration.check.start" belongs to request "<id>.check"; "instance.migrate.x" to "<id>"
        return suffixAndEvent.startsWith(".") ? requestId + suffixAndEvent : requestId + " " + suffixAndEvent;
    }

    @Override
    public void close() throws Exception {
        if (connection.isOpen()) {
            connection.close();
        }
    }
}
