package dev.computeagent.agent.command;

import static dev.computeagent.agent.command.JsonFields.abbreviate;
import static dev.computeagent.agent.command.JsonFields.optionalBoolean;
import static dev.computeagent.agent.command.JsonFields.optionalInt;
import static dev.computeagent.agent.command.JsonFields.pattern;

import dev.computeagent.agent.message.CommandArgs;
import dev.computeagent.agent.message.CommandEnvelope;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.NoArgs;
import dev.computeagent.agent.message.RebootArgs;
import dev.computeagent.agent.message.RescueArgs;
import dev.computeagent.agent.message.ResizeArgs;
import dev.computeagent.agent.message.SnapshotArgs;
import dev.computeagent.agent.message.StopArgs;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns a raw AMQP message into a typed {@link Command} (its arguments the {@link CommandArgs} record of
 * its {@link CommandName}) or a {@link Validation.Rejected} naming the first rule of the AsyncAPI contract
 * it breaks. The envelope is read here; the arguments by {@link SpawnArgsReader}, {@link MigrationArgsReader}
 * and the few lines below for the commands with small arguments. Never throws: any input, however broken,
 * gets an answer. Thread-safe.
 */
public final class CommandValidator {

    /** Longest raw body echoed in a {@code command.rejected} event. */
    public static final int RAW_BODY_LIMIT = 4096;
    static final int MAX_TIMEOUT_S = 86_400;
    static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final Pattern UUID_FORM = Pattern.compile(
            "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private static final Pattern CREDENTIAL = Pattern.compile(
            "\"(auth_password|secret)\"\\s*:\\s*\"(?:[^\"\\\\]|\\\\.)*(?:\"|$)");

    private final String host;
    private final String expectedRoutingKey;
    private final JsonMapper mapper;

    public CommandValidator(String host, JsonMapper mapper) {
        this.host = host;
        this.expectedRoutingKey = "compute." + host;
        this.mapper = mapper;
    }

    /**
     * @param body       the message body as received
     * @param routingKey the routing key the message was published with (null when unknown)
     */
    public Validation validate(byte[] body, @Nullable String routingKey) {
        String text = decodeUtf8(body);
        if (text == null) {
            return new Validation.Rejected("body is not UTF-8 text", null, null, null);
        }
        String raw = truncate(redact(text));
        JsonNode root;
        try {
            root = mapper.readTree(text);
        } catch (JacksonException | IllegalArgumentException e) {
            return new Validation.Rejected("body is not JSON: " + firstLine(e.getMessage()), raw, null, null);
        }
        Context ctx = new Context();
        try {
            return new Validation.Accepted(parse(root, routingKey, ctx));
        } catch (Invalid e) {
            return new Validation.Rejected(e.getMessage(), raw, ctx.requestId, ctx.instanceUuid, ctx.misrouted);
        }
    }

    private Command<?> parse(@Nullable JsonNode root, @Nullable String routingKey, Context ctx) {
        if (root == null || !root.isObject()) {
            throw new Invalid("body must be a JSON object");
        }
        String requestId = pattern(root, "request_id", REQUEST_ID, "1-128 chars of [A-Za-z0-9._:-]", "");
        ctx.requestId = requestId;
        String uuidText = pattern(root, "instance_uuid", UUID_FORM, "a canonical lower-case UUID", "");
        ctx.instanceUuid = uuidText;
        JsonNode version = root.get("version");
        if (version == null || version.isNull()) {
            throw new Invalid("version is required");
        }
        if (!version.isIntegralNumber() || !version.canConvertToInt()) {
            throw new Invalid("version must be an integer");
        }
        if (version.intValue() != CommandEnvelope.VERSION) {
            throw new Invalid("unsupported version " + version.intValue() + " (this agent speaks version "
                    + CommandEnvelope.VERSION + ")");
        }
        JsonNode commandNode = root.get("command");
        if (commandNode == null || !commandNode.isString()) {
            throw new Invalid("command is required and must be a string");
        }
        CommandName name = CommandName.fromWire(commandNode.stringValue())
                .orElseThrow(() -> new Invalid("unknown command: " + abbreviate(commandNode.stringValue())));
        if (routingKey == null || !routingKey.equals(expectedRoutingKey)) {
            ctx.misrouted = true;
            throw new Invalid("wrong host: routing key " + abbreviate(String.valueOf(routingKey))
                    + " is not " + expectedRoutingKey);
        }
        JsonNode args = root.get("args");
        if (args != null && !args.isNull() && !args.isObject()) {
            throw new Invalid("args must be an object");
        }
        JsonNode a = args == null || args.isNull() ? mapper.createObjectNode() : args;
        return Command.of(requestId, UUID.fromString(uuidText), name, args(name, a));
    }

    private CommandArgs args(CommandName name, JsonNode a) {
        return switch (name) {
            case SPAWN -> SpawnArgsReader.read(a);
            case START, DELETE -> NoArgs.INSTANCE;
            case STOP -> new StopArgs(optionalInt(a, "args.timeout_s", "timeout_s", 0, MAX_TIMEOUT_S));
            case REBOOT -> new RebootArgs(optionalBoolean(a, "args.hard", "hard").orElse(null),
                    optionalInt(a, "args.timeout_s", "timeout_s", 0, MAX_TIMEOUT_S));
            case MIGRATE -> MigrationArgsReader.migrate(a, host);
            case MIGRATION_CHECK -> MigrationArgsReader.check(a);
            case MIGRATION_PREPARE -> MigrationArgsReader.prepare(a);
            case MIGRATION_ADOPT -> MigrationArgsReader.adopt(a);
            case MIGRATION_ABORT -> MigrationArgsReader.abort(a);
            case MIGRATION_RESIZE_CONFIRM, MIGRATION_RESIZE_REVERT -> MigrationArgsReader.resizeEnd(a);
            case PAUSE, UNPAUSE, SUSPEND, RESUME -> NoArgs.INSTANCE;
            case MIGRATE_ABORT -> NoArgs.INSTANCE;
            case RESIZE -> new ResizeArgs(InstanceFields.flavor(a, "args."),
                    optionalInt(a, "args.timeout_s", "timeout_s", 0, MAX_TIMEOUT_S),
                    MigrationArgsReader.resizeDestination(a, host));
            case CONFIRM_RESIZE, REVERT_RESIZE -> NoArgs.INSTANCE;
            case RESCUE -> new RescueArgs(InstanceFields.optionalImageId(a, "args."),
                    optionalInt(a, "args.timeout_s", "timeout_s", 0, MAX_TIMEOUT_S));
            case UNRESCUE -> NoArgs.INSTANCE;
            case SNAPSHOT -> new SnapshotArgs(InstanceFields.imageId(a, "args."), InstanceFields.name(a, "args."));
            case ATTACH_VOLUME -> DeviceArgsReader.attachVolume(a);
            case DETACH_VOLUME -> DeviceArgsReader.detachVolume(a);
            case ATTACH_INTERFACE -> DeviceArgsReader.attachInterface(a);
            case DETACH_INTERFACE -> DeviceArgsReader.detachInterface(a);
            case SET_SECURITY_GROUPS -> SecurityGroupsReader.set(a);
            case REBUILD -> SpawnArgsReader.rebuild(a, optionalInt(a, "args.timeout_s", "timeout_s", 0, MAX_TIMEOUT_S));
        };
    }

    private static @Nullable String decodeUtf8(byte[] body) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** The body as echoed in {@code command.rejected}: its text, truncated to 4 KiB, or null when not UTF-8. */
    public static @Nullable String readableBody(byte[] body) {
        String text = decodeUtf8(body);
        return text == null ? null : truncate(redact(text));
    }

    /**
     * The body with the values of the credential fields of {@code connection_info} ({@code auth_password},
     * {@code secret}) masked, however broken the rest: a rejected message is echoed in an event, and a
     * credential must never reach one (the dead-lettered message itself stays intact, as the contract says).
     */
    static String redact(String text) {
        return CREDENTIAL.matcher(text).replaceAll("\"$1\":\"****\"");
    }

    private static String truncate(String text) {
        if (text.length() <= RAW_BODY_LIMIT) {
            return text;
        }
        int end = RAW_BODY_LIMIT;
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end);
    }

    private static String firstLine(@Nullable String message) {
        if (message == null) {
            return "unparseable";
        }
        int nl = message.indexOf('\n');
        return abbreviate(nl < 0 ? message : message.substring(0, nl));
    }

    /** What could be read before the first broken rule, for the rejection event. */
    private static final class Context {
        @Nullable String requestId;
        @Nullable String instanceUuid;
        boolean misrouted;
    }
}
