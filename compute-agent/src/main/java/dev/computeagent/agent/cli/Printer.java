package dev.computeagent.agent.cli;

import dev.computeagent.agent.message.AgentJson;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * What the tool prints: aligned tables for people, or the JSON exactly as the agent sent it with
 * {@code --json} (pretty, or one object per line for events).
 */
final class Printer {

    private final PrintStream out;
    private final boolean json;

    Printer(PrintStream out, boolean json) {
        this.out = out;
        this.json = json;
    }

    /** An object as {@code FIELD VALUE} rows, nested objects flattened ({@code hypervisor.uri}). */
    void object(JsonNode node) {
        if (json) {
            out.println(AgentJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(node));
            return;
        }
        List<List<String>> rows = new ArrayList<>();
        flatten("", node, rows);
        table(List.of("FIELD", "VALUE"), rows);
    }

    /** A command's outcome (its final event): the event's fields, its payload's, and the error. */
    void outcome(JsonNode reply) {
        if (json) {
            object(reply);
            return;
        }
        List<List<String>> rows = new ArrayList<>();
        for (String field : List.of("event", "request_id", "instance_uuid", "host")) {
            rows.add(List.of(field, text(reply.path(field))));
        }
        List<List<String>> payload = new ArrayList<>();
        flatten("", reply.path("payload"), payload);
        // the payload may repeat the event's own fields (an instance's host): once is enough
        payload.stream().filter(row -> !rows.contains(row)).forEach(rows::add);
        JsonNode error = reply.path("error");
        if (error.isObject()) {
            rows.add(List.of("error", error.path("code").asString() + ": " + error.path("message").asString()
                    + (error.path("retriable").asBoolean() ? " (retriable)" : " (not retriable)")));
        }
        table(List.of("FIELD", "VALUE"), rows);
    }

    /** The instances of {@code GET /v1/instances}, one row each. */
    void instances(JsonNode list) {
        if (json) {
            object(list);
            return;
        }
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode i : list) {
            JsonNode flavor = i.path("flavor");
            rows.add(List.of(text(i.path("uuid")), text(i.path("name")), text(i.path("state")),
                    text(i.path("power_state")), flavor.path("vcpus").asString("-") + "/"
                            + flavor.path("memory_mb").asString("-") + "M/" + flavor.path("root_gb").asString("-") + "G",
                    text(i.path("image_id")), text(i.path("created_at"))));
        }
        table(List.of("UUID", "NAME", "STATE", "POWER", "FLAVOR", "IMAGE", "CREATED"), rows);
    }

    /** One event: a line, or a JSON object on one line. */
    void event(JsonNode event) {
        if (json) {
            out.println(event.toString());
        } else {
            StringBuilder line = new StringBuilder();
            line.append(text(event.path("timestamp"))).append("  ").append(text(event.path("host"))).append("  ")
                    .append(text(event.path("event"))).append("  ").append(text(event.path("instance_uuid")));
            for (Map.Entry<String, JsonNode> e : event.path("payload").properties()) {
                if (e.getValue().isValueNode()) {
                    line.append("  ").append(e.getKey()).append('=').append(e.getValue().asString());
                }
            }
            JsonNode error = event.path("error");
            if (error.isObject()) {
                line.append("  error=").append(error.path("code").asString()).append(": ")
                        .append(error.path("message").asString());
            }
            out.println(line);
        }
        out.flush();
    }

    private void table(List<String> headers, List<List<String>> rows) {
        int[] widths = new int[headers.size()];
        for (int c = 0; c < widths.length; c++) {
            widths[c] = headers.get(c).length();
            for (List<String> row : rows) {
                widths[c] = Math.max(widths[c], row.get(c).length());
            }
        }
        out.println(line(headers, widths));
        for (List<String> row : rows) {
            out.println(line(row, widths));
        }
    }

    private static String line(List<String> cells, int[] widths) {
        StringBuilder b = new StringBuilder();
        for (int c = 0; c < cells.size(); c++) {
            String cell = cells.get(c);
            b.append(cell);
            if (c < cells.size() - 1) {
                b.append(" ".repeat(widths[c] - cell.length() + 2));
            }
        }
        return b.toString().stripTrailing();
    }

    private static void flatten(String prefix, JsonNode node, List<List<String>> rows) {
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String key = prefix + e.getKey();
            if (e.getValue().isObject() && !e.getValue().isEmpty()) {
                flatten(key + ".", e.getValue(), rows);
            } else {
                rows.add(List.of(key, text(e.getValue())));
            }
        }
    }

    private static String text(JsonNode value) {
        if (value.isMissingNode() || value.isNull()) {
            return "-";
        }
        return value.isValueNode() ? value.asString() : value.toString();
    }
}
