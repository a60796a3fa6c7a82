package dev.computeagent.agent.asyncapi;

import static dev.computeagent.agent.asyncapi.AsyncApiDocument.messagePayload;
import static dev.computeagent.agent.asyncapi.AsyncApiDocument.resolve;
import static dev.computeagent.agent.asyncapi.AsyncApiDocument.root;
import static dev.computeagent.agent.asyncapi.AsyncApiDocument.schema;
import static dev.computeagent.agent.asyncapi.AsyncApiDocument.validate;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.computeagent.agent.amqp.Topology;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.MigrationProgressPayload;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.virt.PowerState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/** The AsyncAPI document is AsyncAPI 3.0 shaped, internally consistent, and agrees with the Java enums. */
class AsyncApiDocumentTest {

    @Test
    void isAnAsyncApi3DocumentWithTheAgentsChannels() {
        assertThat(root().get("asyncapi").asText()).isEqualTo("3.0.0");
        assertThat(root().get("info").get("title").asText()).isNotBlank();
        assertThat(root().get("info").get("version").asText()).isNotBlank();
        assertThat(root().get("defaultContentType").asText()).isEqualTo("application/json");
        assertThat(root().get("servers").get("broker").get("protocol").asText()).isEqualTo("amqp");
        assertThat(names(root().get("channels")))
                .containsExactlyInAnyOrder("commands", "internalCommands", "commandQueue", "deadLetters", "events",
                        "replies");
        assertThat(root().get("channels").get("commands").get("bindings").get("amqp").get("exchange")
                .get("name").asText()).isEqualTo("compute");
        assertThat(root().get("channels").get("internalCommands").get("bindings").get("amqp").get("exchange")
                .get("name").asText()).isEqualTo(Topology.INTERNAL_EXCHANGE);
        assertThat(root().get("channels").get("events").get("bindings").get("amqp").get("exchange")
                .get("name").asText()).isEqualTo("compute.events");
        assertThat(root().get("channels").get("deadLetters").get("address").asText()).isEqualTo("compute.{host}.dead");
    }

    @Test
    void validatesAgainstTheOfficialAsyncApi300Schema() {
        assertThat(AsyncApiDocument.validateAgainstSpecification()).isEmpty();

        ObjectNode asyncApi2Style = root().deepCopy();
        ((ObjectNode) asyncApi2Style.get("operations").get("publishEvent")).put("action", "publish");
        assertThat(AsyncApiDocument.validateAgainstSpecification(asyncApi2Style)).as("2.x action").isNotEmpty();
    }

    @Test
    void everyLocalReferenceResolves() {
        List<String> refs = new ArrayList<>();
        collectRefs(root(), refs);

        assertThat(refs).hasSizeGreaterThan(50);
        for (String ref : refs) {
            assertThat(resolve(ref).isMissingNode()).as(ref).isFalse();
        }
    }

    @Test
    void everyOperationUsesItsChannelsMessagesAndAValidAction() {
        for (Map.Entry<String, JsonNode> operation : root().get("operations").properties()) {
            JsonNode op = operation.getValue();
            assertThat(op.get("action").asText()).as(operation.getKey()).isIn("send", "receive");
            String channelRef = op.get("channel").get("$ref").asText();
            assertThat(channelRef).startsWith("#/channels/");
            for (JsonNode message : op.get("messages")) {
                assertThat(message.get("$ref").asText()).as(operation.getKey())
                        .startsWith(channelRef + "/messages/");
            }
            if (op.has("reply")) {
                String replyChannel = op.get("reply").get("channel").get("$ref").asText();
                op.get("reply").get("messages").forEach(m ->
                        assertThat(m.get("$ref").asText()).startsWith(replyChannel + "/messages/"));
            }
        }
    }

    @Test
    void everyMessageHasAPayloadSchemaAndExamples() {
        for (Map.Entry<String, JsonNode> message : root().get("components").get("messages").properties()) {
            assertThat(message.getValue().has("payload")).as(message.getKey()).isTrue();
            assertThat(message.getValue().get("examples")).as(message.getKey()).isNotEmpty();
        }
    }

    @Test
    void everyExampleValidatesAgainstItsMessageSchema() {
        int examples = 0;
        for (Map.Entry<String, JsonNode> message : root().get("components").get("messages").properties()) {
            for (JsonNode example : message.getValue().get("examples")) {
                assertThat(validate(messagePayload(message.getKey()), example.get("payload")))
                        .as(message.getKey() + " example " + example.get("name")).isEmpty();
                examples++;
            }
        }
        assertThat(examples).isGreaterThanOrEqualTo(30);
    }

    @Test
    void eventChannelNamesEveryEventOfTheContract() {
        Set<String> expected = new HashSet<>(Set.of("instance.power_state.update", "command.rejected", "host.status",
                MigrationProgressPayload.EVENT));
        // internal migration.* commands included: the destination publishes their events there too
        Arrays.stream(CommandName.values()).forEach(c -> {
            for (String phase : List.of("start", "end", "error")) {
                expected.add("instance." + c.wireName() + "." + phase);
            }
        });

        JsonNode names = root().get("channels").get("events").get("parameters").get("event").get("enum");

        assertThat(texts(names)).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void commandChannelsCarryAMessageForEveryCommandIncludingInternalOnes() {
        Set<String> messageNames = new HashSet<>();
        root().get("channels").get("commandQueue").get("messages")
                .forEach(ref -> messageNames.add(resolve(ref.get("$ref").asText()).get("name").asText()));
        Set<String> wireNames = new HashSet<>();
        Arrays.stream(CommandName.values()).forEach(c -> wireNames.add(c.wireName()));

        assertThat(messageNames).isEqualTo(wireNames);
        Set<String> publicNames = new HashSet<>();
        root().get("channels").get("commands").get("messages")
                .forEach(ref -> publicNames.add(resolve(ref.get("$ref").asText()).get("name").asText()));
        Set<String> internalNames = new HashSet<>();
        root().get("channels").get("internalCommands").get("messages")
                .forEach(ref -> internalNames.add(resolve(ref.get("$ref").asText()).get("name").asText()));
        assertThat(publicNames).as("controllers' exchange: the public commands only")
                .containsExactlyInAnyOrderElementsOf(Arrays.stream(CommandName.values()).filter(c -> !c.internal())
                        .map(CommandName::wireName).toList());
        assertThat(internalNames).as("agents' exchange: the internal commands only")
                .containsExactlyInAnyOrderElementsOf(Arrays.stream(CommandName.values()).filter(CommandName::internal)
                        .map(CommandName::wireName).toList());
        assertThat(texts(resolve(schema("CommandEnvelope")).get("properties").get("command").get("enum")))
                .containsExactlyInAnyOrderElementsOf(wireNames);
    }

    @Test
    void enumsMatchTheJavaTypes() {
        assertThat(texts(resolve(schema("ErrorCode")).get("enum")))
                .containsExactlyInAnyOrderElementsOf(Arrays.stream(ErrorCode.values()).map(Enum::name).toList());
        assertThat(texts(resolve(schema("InstanceState")).get("enum")))
                .containsExactlyInAnyOrderElementsOf(Arrays.stream(InstanceState.values()).map(Enum::name).toList());
        assertThat(texts(resolve(schema("PowerState")).get("enum")))
                .containsExactlyInAnyOrderElementsOf(Arrays.stream(PowerState.values()).map(Enum::name).toList());
    }

    private static void collectRefs(JsonNode node, List<String> refs) {
        if (node.isObject()) {
            node.properties().forEach(e -> {
                if (e.getKey().equals("$ref") && e.getValue().isTextual()) {
                    refs.add(e.getValue().asText());
                } else {
                    collectRefs(e.getValue(), refs);
                }
            });
        } else if (node.isArray()) {
            node.forEach(child -> collectRefs(child, refs));
        }
    }

    private static List<String> names(JsonNode object) {
        return StreamSupport.stream(object.properties().spliterator(), false).map(Map.Entry::getKey).toList();
    }

    private static List<String> texts(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }
}
