package dev.computeagent.agent.command;

import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.MigrateArgs;
import dev.computeagent.agent.message.MigratedInstance;
import dev.computeagent.agent.message.MigrationAbortArgs;
import dev.computeagent.agent.message.MigrationAdoptArgs;
import dev.computeagent.agent.message.MigrationCheckArgs;
import dev.computeagent.agent.message.MigrationPrepareArgs;
import dev.computeagent.agent.message.NicArgs;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.NicSpec;
import dev.computeagent.virt.RebootType;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns a raw AMQP message into a typed {@link Command} or a {@link Validation.Rejected} naming
 * the first rule it breaks (DESIGN.md §3). Never throws: any input, however broken, gets an answer.
 * Thread-safe.
 */
public final class CommandValidator {

    /** Longest raw body echoed in a {@code command.rejected} event. */
    public static final int RAW_BODY_LIMIT = 4096;
    static final int USER_DATA_LIMIT = 64 * 1024;
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    static final int METADATA_ENTRIES = 128;
    static final int METADATA_KEY_CHARS = 255;
    static final int METADATA_VALUE_CHARS = 4096;
    static final int MAX_TIMEOUT_S = 86_400;
    /** Most NICs of one instance: a PCI slot each, and a bound on the work a spawn asks for. */
    public static final int MAX_NICS = 16;
    /** Largest config drive a block migration carries (the agent writes well under 1 MiB). */
    static final int CONFIG_DRIVE_LIMIT = 4 * 1024 * 1024;
    static final int ABORT_REASON_CHARS = 4096;
    private static final Pattern PROBE = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
    static final int PUBLIC_KEYS = 32;
    static final int PUBLIC_KEY_NAME_CHARS = 255;
    static final int PUBLIC_KEY_CHARS = 16_384;

    private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final Pattern UUID_FORM = Pattern.compile(
            "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final Pattern IMAGE_ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    private static final Pattern MAC = Pattern.compile("[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}");
    /** One OpenSSH public key line: key type, base64 blob, optional comment; no options, no line breaks. */
    private static final Pattern PUBLIC_KEY =
            Pattern.compile("([a-z0-9@.-]{3,64}) ([A-Za-z0-9+/]+={0,3})( [^\\p{Cntrl}]*)?");
    private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");

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
    public Validation validate(byte[] body, String routingKey) {
        String text = decodeUtf8(body);
        if (text == null) {
            return new Validation.Rejected("body is not UTF-8 text", null, null, null);
        }
        String raw = truncate(text);
        JsonNode root;
        try {
            root = mapper.readTree(text);
        } catch (JacksonException | IllegalArgumentException e) {
            return new Validation.Rejected("body is not JSON: " + firstLine(e.getMessage()), raw, null, null);
        }
        Context ctx = new Context(raw);
        try {
            return new Validation.Accepted(parse(root, routingKey, ctx));
        } catch (Invalid e) {
            return new Validation.Rejected(e.getMessage(), raw, ctx.requestId, ctx.instanceUuid, ctx.misrouted);
        }
    }

    private Command parse(JsonNode root, String routingKey, Context ctx) {
        if (root == null || !root.isObject()) {
            throw new Invalid("body must be a JSON object");
        }
        ctx.requestId = pattern(root, "request_id", REQUEST_ID, "1-128 chars of [A-Za-z0-9._:-]");
        String uuidText = pattern(root, "instance_uuid", UUID_FORM, "a canonical lower-case UUID");
        ctx.instanceUuid = uuidText;
        JsonNode version = root.get("version");
        if (version == null || version.isNull()) {
            throw new Invalid("version is required");
        }
        if (!version.isIntegralNumber() || !version.canConvertToInt()) {
            throw new Invalid("version must be an integer");
        }
        if (version.intValue() != 1) {
            throw new Invalid("unsupported version " + version.intValue() + " (this agent speaks version 1)");
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
        String requestId = ctx.requestId;
        UUID uuid = UUID.fromString(uuidText);
        return switch (name) {
            case SPAWN -> new Command.Spawn(requestId, uuid, spawn(a));
            case START -> new Command.Start(requestId, uuid);
            case STOP -> new Command.Stop(requestId, uuid,
                    Duration.ofSeconds(optionalInt(a, "args.timeout_s", "timeout_s", 0, MAX_TIMEOUT_S).orElse(60)));
            case REBOOT -> new Command.Reboot(requestId, uuid,
                    optionalBoolean(a, "args.hard", "hard").orElse(false) ? RebootType.HARD : RebootType.SOFT,
                    Duration.ofSeconds(optionalInt(a, "args.timeout_s", "timeout_s", 0, MAX_TIMEOUT_S).orElse(120)));
            case DELETE -> new Command.Delete(requestId, uuid);
            case MIGRATE -> new Command.Migrate(requestId, uuid, migrate(a));
            case MIGRATION_CHECK -> new Command.Internal(requestId, uuid, name, migrationCheck(a), null);
            case MIGRATION_PREPARE -> new Command.Internal(requestId, uuid, name, migrationPrepare(a), null);
            case MIGRATION_ADOPT -> new Command.Internal(requestId, uuid, name, migrationAdopt(a), null);
            case MIGRATION_ABORT -> new Command.Internal(requestId, uuid, name, migrationAbort(a), null);
        };
    }

    private SpawnRequest spawn(JsonNode a) {
        String name = name(a, "args.");
        Flavor flavor = flavor(a, "args.");
        String imageId = pattern(a, "image_id", IMAGE_ID, "1-128 chars of [A-Za-z0-9._-]", "args.");
        return new SpawnRequest(name, flavor, imageId, nics(a.get("nics"), "args."),
                metadata(a.get("metadata"), "args."), userData(a.get("user_data")), publicKeys(a.get("public_keys")));
    }

    /**
     * Name → OpenSSH public key. A key is one line whose base64 blob decodes to an SSH key of the type
     * it names (the blob starts with that type), so neither options ({@code command="…"}) nor a second
     * line can reach the guest's {@code authorized_keys}.
     */
    private Map<String, String> publicKeys(JsonNode keys) {
        if (keys == null || keys.isNull()) {
            return Map.of();
        }
        if (!keys.isObject()) {
            throw new Invalid("args.public_keys must be an object of name to OpenSSH public key");
        }
        if (keys.size() > PUBLIC_KEYS) {
            throw new Invalid("args.public_keys has more than " + PUBLIC_KEYS + " entries");
        }
        Map<String, String> result = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : keys.properties()) {
            String name = e.getKey();
            int nameChars = name.codePointCount(0, name.length());
            if (nameChars < 1 || nameChars > PUBLIC_KEY_NAME_CHARS || CONTROL.matcher(name).find()) {
                throw new Invalid("args.public_keys names must be 1-" + PUBLIC_KEY_NAME_CHARS
                        + " characters without control characters");
            }
            String where = "args.public_keys." + abbreviate(name);
            if (!e.getValue().isString()) {
                throw new Invalid(where + " must be a string");
            }
            String key = e.getValue().stringValue();
            if (key.length() > PUBLIC_KEY_CHARS || !isOpenSshPublicKey(key)) {
                throw new Invalid(where + " must be one OpenSSH public key line (type base64 [comment]) of at most "
                        + PUBLIC_KEY_CHARS + " characters");
            }
            result.put(name, key);
        }
        return result;
    }

    private static boolean isOpenSshPublicKey(String key) {
        Matcher m = PUBLIC_KEY.matcher(key);
        if (!m.matches()) {
            return false;
        }
        byte[] blob;
        try {
            blob = Base64.getDecoder().decode(m.group(2));
        } catch (IllegalArgumentException e) {
            return false;
        }
        byte[] type = m.group(1).getBytes(StandardCharsets.US_ASCII);
        if (blob.length < 4 + type.length) {
            return false;
        }
        int length = ByteBuffer.wrap(blob, 0, 4).getInt();
        return length == type.length && Arrays.equals(blob, 4, 4 + type.length, type, 0, type.length);
    }

    private static String name(JsonNode a, String prefix) {
        String name = requiredString(a, prefix + "name", "name");
        int nameChars = name.codePointCount(0, name.length());
        if (nameChars < 1 || nameChars > 255) {
            throw new Invalid(prefix + "name must be 1-255 characters");
        }
        return name;
    }

    /** The flavor limits of DESIGN.md §3; disks bounded so that their size in bytes cannot overflow. */
    private static Flavor flavor(JsonNode a, String prefix) {
        JsonNode f = a.get("flavor");
        String where = prefix + "flavor";
        if (f == null || !f.isObject()) {
            throw new Invalid(where + " is required and must be an object");
        }
        return new Flavor(
                (int) requiredLong(f, where + ".vcpus", "vcpus", 1, 64),
                requiredLong(f, where + ".memory_mb", "memory_mb", 64, 1_048_576),
                requiredLong(f, where + ".root_gb", "root_gb", 0, Flavor.MAX_DISK_GB),
                optionalLong(f, where + ".ephemeral_gb", "ephemeral_gb", 0, Flavor.MAX_DISK_GB).orElse(0L));
    }

    private List<NicSpec> nics(JsonNode nics, String prefix) {
        if (nics == null || nics.isNull()) {
            return List.of();
        }
        if (!nics.isArray()) {
            throw new Invalid(prefix + "nics must be an array");
        }
        if (nics.size() > MAX_NICS) {
            throw new Invalid(prefix + "nics has more than " + MAX_NICS + " entries");
        }
        List<NicSpec> result = new ArrayList<>();
        for (int i = 0; i < nics.size(); i++) {
            String where = prefix + "nics[" + i + "]";
            JsonNode n = nics.get(i);
            if (!n.isObject()) {
                throw new Invalid(where + " must be an object");
            }
            String type = requiredString(n, where + ".type", "type");
            NicSpec.Type nicType = switch (type) {
                case "network" -> NicSpec.Type.NETWORK;
                case "bridge" -> NicSpec.Type.BRIDGE;
                case "user" -> NicSpec.Type.USER;
                default -> throw new Invalid(where + ".type must be network, bridge or user");
            };
            Optional<String> source = optionalString(n, where + ".source", "source");
            if (nicType == NicSpec.Type.USER && source.isPresent()) {
                throw new Invalid(where + ".source must be absent for a user NIC");
            }
            if (nicType != NicSpec.Type.USER && source.isEmpty()) {
                throw new Invalid(where + ".source is required for a " + type + " NIC");
            }
            Optional<String> mac = optionalString(n, where + ".mac", "mac");
            if (mac.isPresent() && !MAC.matcher(mac.get()).matches()) {
                throw new Invalid(where + ".mac must look like aa:bb:cc:dd:ee:ff");
            }
            String model = optionalString(n, where + ".model", "model").orElse("virtio");
            try {
                result.add(new NicSpec(nicType, source, mac.map(m -> m.toLowerCase(Locale.ROOT)), model));
            } catch (IllegalArgumentException e) {
                throw new Invalid(where + ": " + e.getMessage());
            }
        }
        return result;
    }

    private Map<String, String> metadata(JsonNode metadata, String prefix) {
        if (metadata == null || metadata.isNull()) {
            return Map.of();
        }
        String where = prefix + "metadata";
        if (!metadata.isObject()) {
            throw new Invalid(where + " must be an object of strings");
        }
        if (metadata.size() > METADATA_ENTRIES) {
            throw new Invalid(where + " has more than " + METADATA_ENTRIES + " entries");
        }
        Map<String, String> result = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : metadata.properties()) {
            String key = e.getKey();
            if (key.codePointCount(0, key.length()) > METADATA_KEY_CHARS) {
                throw new Invalid(where + " key longer than " + METADATA_KEY_CHARS + " characters");
            }
            if (!e.getValue().isString()) {
                throw new Invalid(where + " values must be strings");
            }
            String value = e.getValue().stringValue();
            if (value.codePointCount(0, value.length()) > METADATA_VALUE_CHARS) {
                throw new Invalid(where + " value longer than " + METADATA_VALUE_CHARS + " characters");
            }
            result.put(key, value);
        }
        return result;
    }

    private Optional<byte[]> userData(JsonNode userData) {
        if (userData == null || userData.isNull()) {
            return Optional.empty();
        }
        if (!userData.isString()) {
            throw new Invalid("args.user_data must be a base64 string");
        }
        String raw = userData.stringValue();
        int encodedLimit = (USER_DATA_LIMIT / 3 + 1) * 4;
        // MIME-style base64 (line breaks every 76 characters) is accepted: whitespace is not data.
        // The raw bound only keeps a huge string from being copied; the real bound follows.
        if (raw.length() > 2 * encodedLimit) {
            throw new Invalid("args.user_data is larger than 64 KiB");
        }
        String text = WHITESPACE.matcher(raw).replaceAll("");
        // cheap bound before decoding: base64 of 64 KiB is at most 87,384 characters
        if (text.length() > encodedLimit) {
            throw new Invalid("args.user_data is larger than 64 KiB");
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new Invalid("args.user_data is not valid base64");
        }
        if (decoded.length > USER_DATA_LIMIT) {
            throw new Invalid("args.user_data is larger than 64 KiB");
        }
        return Optional.of(decoded);
    }

    private MigrateArgs migrate(JsonNode a) {
        String destination = pattern(a, "destination", HOST, "a host name of 1-128 chars of [A-Za-z0-9._-]", "args.");
        if (destination.equals(host)) {
            throw new Invalid("args.destination is this host");
        }
        return new MigrateArgs(destination,
                optionalBoolean(a, "args.live", "live").orElse(null),
                optionalBoolean(a, "args.block_migration", "block_migration").orElse(null),
                optionalInt(a, "args.max_downtime_ms", "max_downtime_ms", 1, 3_600_000).stream().boxed()
                        .findFirst().orElse(null),
                optionalInt(a, "args.completion_timeout_s", "completion_timeout_s", 1, MAX_TIMEOUT_S).stream()
                        .boxed().findFirst().orElse(null),
                optionalInt(a, "args.stop_timeout_s", "stop_timeout_s", 0, MAX_TIMEOUT_S).stream()
                        .boxed().findFirst().orElse(null));
    }

    private MigrationCheckArgs migrationCheck(JsonNode a) {
        String probe = optionalString(a, "args.shared_storage_probe", "shared_storage_probe").orElse(null);
        if (probe != null && !PROBE.matcher(probe).matches()) {
            throw new Invalid("args.shared_storage_probe must be 1-128 chars of [A-Za-z0-9._-]");
        }
        return new MigrationCheckArgs(sourceHost(a), flavor(a, "args."), imageId(a, "args."), probe);
    }

    private MigrationPrepareArgs migrationPrepare(JsonNode a) {
        String configDrive = optionalString(a, "args.config_drive", "config_drive").orElse(null);
        if (configDrive != null) {
            base64(configDrive, "args.config_drive", CONFIG_DRIVE_LIMIT);
        }
        return new MigrationPrepareArgs(sourceHost(a), name(a, "args."), flavor(a, "args."), imageId(a, "args."),
                optionalBoolean(a, "args.block_migration", "block_migration")
                        .orElseThrow(() -> new Invalid("args.block_migration is required")),
                optionalLong(a, "args.disk_virtual_size", "disk_virtual_size", 0, Flavor.MAX_DISK_GB << 30)
                        .orElse(null),
                metadata(a.get("metadata"), "args."),
                optionalBoolean(a, "args.start", "start").orElse(null), configDrive);
    }

    private MigrationAdoptArgs migrationAdopt(JsonNode a) {
        String migrateRequestId = optionalString(a, "args.migrate_request_id", "migrate_request_id").orElse(null);
        if (migrateRequestId != null && !REQUEST_ID.matcher(migrateRequestId).matches()) {
            throw new Invalid("args.migrate_request_id must be 1-128 chars of [A-Za-z0-9._:-]");
        }
        JsonNode instance = a.get("instance");
        MigratedInstance migrated = null;
        if (instance != null && !instance.isNull()) {
            if (!instance.isObject()) {
                throw new Invalid("args.instance must be an object");
            }
            migrated = migratedInstance(instance);
        }
        return new MigrationAdoptArgs(sourceHost(a), migrateRequestId, migrated,
                optionalBoolean(a, "args.start", "start").orElse(null));
    }

    private MigratedInstance migratedInstance(JsonNode i) {
        String prefix = "args.instance.";
        List<NicArgs> nics = nics(i.get("nics"), prefix).stream().map(NicArgs::of).toList();
        String createdAt = optionalString(i, prefix + "created_at", "created_at").orElse(null);
        if (createdAt != null) {
            try {
                java.time.Instant.parse(createdAt);
            } catch (java.time.format.DateTimeParseException e) {
                throw new Invalid(prefix + "created_at must be an RFC 3339 UTC timestamp");
            }
        }
        String spawnRequest = optionalString(i, prefix + "spawn_request", "spawn_request").orElse(null);
        if (spawnRequest != null && !REQUEST_ID.matcher(spawnRequest).matches()) {
            throw new Invalid(prefix + "spawn_request must be 1-128 chars of [A-Za-z0-9._:-]");
        }
        String specSha256 = optionalString(i, prefix + "spec_sha256", "spec_sha256").orElse(null);
        if (specSha256 != null && !SHA256_HEX.matcher(specSha256).matches()) {
            throw new Invalid(prefix + "spec_sha256 must be 64 lower-case hex digits");
        }
        return new MigratedInstance(name(i, prefix), flavor(i, prefix), imageId(i, prefix), nics,
                metadata(i.get("metadata"), prefix), createdAt, spawnRequest, specSha256);
    }

    private MigrationAbortArgs migrationAbort(JsonNode a) {
        String reason = optionalString(a, "args.reason", "reason").orElse(null);
        if (reason != null && reason.codePointCount(0, reason.length()) > ABORT_REASON_CHARS) {
            throw new Invalid("args.reason is longer than " + ABORT_REASON_CHARS + " characters");
        }
        return new MigrationAbortArgs(sourceHost(a), reason);
    }

    private static String sourceHost(JsonNode a) {
        return pattern(a, "source_host", HOST, "a host name of 1-128 chars of [A-Za-z0-9._-]", "args.");
    }

    private static String imageId(JsonNode a, String prefix) {
        return pattern(a, "image_id", IMAGE_ID, "1-128 chars of [A-Za-z0-9._-]", prefix);
    }

    private static byte[] base64(String raw, String where, int limit) {
        if (raw.length() > (limit / 3 + 1) * 4) {
            throw new Invalid(where + " is larger than " + limit / 1024 + " KiB");
        }
        try {
            return Base64.getDecoder().decode(raw);
        } catch (IllegalArgumentException e) {
            throw new Invalid(where + " is not valid base64");
        }
    }

    private static String pattern(JsonNode node, String field, Pattern pattern, String rule) {
        return pattern(node, field, pattern, rule, "");
    }

    private static String pattern(JsonNode node, String field, Pattern pattern, String rule, String prefix) {
        String value = requiredString(node, prefix + field, field);
        if (!pattern.matcher(value).matches()) {
            throw new Invalid(prefix + field + " must be " + rule);
        }
        return value;
    }

    private static String requiredString(JsonNode node, String where, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new Invalid(where + " is required");
        }
        if (!v.isString()) {
            throw new Invalid(where + " must be a string");
        }
        return v.stringValue();
    }

    private static Optional<String> optionalString(JsonNode node, String where, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isString()) {
            throw new Invalid(where + " must be a string");
        }
        return Optional.of(v.stringValue());
    }

    private static long requiredLong(JsonNode node, String where, String field, long min, long max) {
        return optionalLong(node, where, field, min, max).orElseThrow(() -> new Invalid(where + " is required"));
    }

    private static Optional<Long> optionalLong(JsonNode node, String where, String field, long min, long max) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new Invalid(where + " must be an integer");
        }
        long value = v.longValue();
        if (value < min || value > max) {
            throw new Invalid(where + " must be within [" + min + ", " + max + "]");
        }
        return Optional.of(value);
    }

    private static java.util.OptionalInt optionalInt(JsonNode node, String where, String field, int min, int max) {
        return optionalLong(node, where, field, min, max)
                .map(v -> java.util.OptionalInt.of(v.intValue())).orElse(java.util.OptionalInt.empty());
    }

    private static Optional<Boolean> optionalBoolean(JsonNode node, String where, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isBoolean()) {
            throw new Invalid(where + " must be a boolean");
        }
        return Optional.of(v.booleanValue());
    }

    private static String decodeUtf8(byte[] body) {
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
    public static String readableBody(byte[] body) {
        String text = decodeUtf8(body);
        return text == null ? null : truncate(text);
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

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "…";
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unparseable";
        }
        int nl = message.indexOf('\n');
        return abbreviate(nl < 0 ? message : message.substring(0, nl));
    }

    /** Carries what could be read before the first broken rule, for the rejection event. */
    private static final class Context {
        final String raw;
        String requestId;
        String instanceUuid;
        boolean misrouted;

        Context(String raw) {
            this.raw = raw;
        }
    }

    /** A broken rule; internal control flow only. */
    private static final class Invalid extends RuntimeException {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }
}
