package dev.computeagent.agent.command;

import static dev.computeagent.agent.command.JsonFields.optionalBoolean;
import static dev.computeagent.agent.command.JsonFields.optionalInt;
import static dev.computeagent.agent.command.JsonFields.optionalLong;
import static dev.computeagent.agent.command.JsonFields.optionalObject;
import static dev.computeagent.agent.command.JsonFields.optionalString;
import static dev.computeagent.agent.command.JsonFields.pattern;

import dev.computeagent.agent.message.MigrateArgs;
import dev.computeagent.agent.message.MigrateVolumeArgs;
import dev.computeagent.agent.message.MigratedInstance;
import dev.computeagent.agent.message.MigrationAbortArgs;
import dev.computeagent.agent.message.MigrationAdoptArgs;
import dev.computeagent.agent.message.MigrationCheckArgs;
import dev.computeagent.agent.message.MigrationPrepareArgs;
import dev.computeagent.agent.message.MigrationResize;
import dev.computeagent.agent.message.MigrationResizeEndArgs;
import dev.computeagent.agent.message.MigrationVolumeArgs;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.Gib;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** The arguments of {@code migrate} and of the internal {@code migration.*} commands, read with every rule of the contract. */
final class MigrationArgsReader {

    static final int MAX_TIMEOUT_S = CommandValidator.MAX_TIMEOUT_S;
    /** Largest config drive a block migration carries (the agent writes well under 1 MiB). */
    static final int CONFIG_DRIVE_LIMIT = 4 * 1024 * 1024;
    static final int ABORT_REASON_CHARS = 4096;
    static final Pattern HOST = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    private static final Pattern PROBE = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    private static final Pattern NOTICE_ID = Pattern.compile("[A-Za-z0-9-]{1,64}");
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
    private static final String HOST_RULE = "a host name of 1-128 chars of [A-Za-z0-9._-]";
    /** One per guest device {@code vdb}-{@code vdz}. */
    static final int MAX_VOLUMES = 25;

    private MigrationArgsReader() {
    }

    /** {@code migrate.args}; the destination must not be {@code host} itself. */
    static MigrateArgs migrate(JsonNode a, String host) {
        String destination = pattern(a, "destination", HOST, HOST_RULE, "args.");
        if (destination.equals(host)) {
            throw new Invalid("args.destination is this host");
        }
        return new MigrateArgs(destination,
                optionalBoolean(a, "args.live", "live").orElse(null),
                optionalBoolean(a, "args.block_migration", "block_migration").orElse(null),
                optionalInt(a, "args.max_downtime_ms", "max_downtime_ms", 1, 3_600_000),
                optionalInt(a, "args.completion_timeout_s", "completion_timeout_s", 1, MAX_TIMEOUT_S),
                optionalInt(a, "args.stop_timeout_s", "stop_timeout_s", 0, MAX_TIMEOUT_S),
                volumes(a, (v, where) -> new MigrateVolumeArgs(volumeId(v, where),
                        DeviceArgsReader.connectionInfo(v, where))));
    }

    /** One entry of a {@code volumes} list, read at {@code where} ({@code args.volumes[i].}). */
    @FunctionalInterface
    private interface VolumeEntry<T> {
        T read(JsonNode entry, String where);
    }

    /** The optional {@code volumes} list of {@code a}: at most {@link #MAX_VOLUMES} objects, volume ids distinct. */
    private static <T> @Nullable List<T> volumes(JsonNode a, VolumeEntry<T> reader) {
        JsonNode list = a.get("volumes");
        if (list == null || list.isNull()) {
            return null;
        }
        if (!list.isArray() || list.size() > MAX_VOLUMES) {
            throw new Invalid("args.volumes must be a list of at most " + MAX_VOLUMES + " volumes");
        }
        List<T> result = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            String where = "args.volumes[" + i + "].";
            JsonNode entry = list.get(i);
            if (!entry.isObject()) {
                throw new Invalid(where.substring(0, where.length() - 1) + " must be an object");
            }
            if (!ids.add(volumeId(entry, where))) {
                throw new Invalid(where + "volume_id repeats an earlier volume");
            }
            result.add(reader.read(entry, where));
        }
        return result;
    }

    private static String volumeId(JsonNode entry, String where) {
        return pattern(entry, "volume_id", DeviceArgsReader.VOLUME_ID, "1-128 chars of [A-Za-z0-9._-]", where);
    }

    private static MigrationVolumeArgs preparedVolume(JsonNode v, String where) {
        String device = pattern(v, "device", DeviceArgsReader.DEVICE, "vdb-vdz", where);
        String secret = optionalString(v, where + "secret_uuid", "secret_uuid")
                .orElseThrow(() -> new Invalid(where + "secret_uuid is required"));
        try {
            if (!UUID.fromString(secret).toString().equals(secret)) {
                throw new IllegalArgumentException("not canonical");
            }
        } catch (IllegalArgumentException e) {
            throw new Invalid(where + "secret_uuid must be a canonical lower-case UUID");
        }
        return new MigrationVolumeArgs(volumeId(v, where), device, DeviceArgsReader.connectionInfo(v, where), secret);
    }

    /** {@code resize.args.destination}: absent or this host itself = a resize on this host (null). */
    static @Nullable String resizeDestination(JsonNode a, String host) {
        if (a.get("destination") == null || a.get("destination").isNull()) {
            return null;
        }
        String destination = pattern(a, "destination", HOST, HOST_RULE, "args.");
        return destination.equals(host) ? null : destination;
    }

    static MigrationResizeEndArgs resizeEnd(JsonNode a) {
        return new MigrationResizeEndArgs(sourceHost(a));
    }

    static MigrationCheckArgs check(JsonNode a) {
        return new MigrationCheckArgs(sourceHost(a), InstanceFields.flavor(a, "args."),
                InstanceFields.imageId(a, "args."), probe(a), resizeFlavor(a));
    }

    private static @Nullable String probe(JsonNode a) {
        String probe = optionalString(a, "args.shared_storage_probe", "shared_storage_probe").orElse(null);
        if (probe != null && !PROBE.matcher(probe).matches()) {
            throw new Invalid("args.shared_storage_probe must be 1-128 chars of [A-Za-z0-9._-]");
        }
        return probe;
    }

    static MigrationPrepareArgs prepare(JsonNode a) {
        String configDrive = optionalString(a, "args.config_drive", "config_drive").orElse(null);
        if (configDrive != null) {
            requireBase64(configDrive, "args.config_drive", CONFIG_DRIVE_LIMIT);
        }
        return new MigrationPrepareArgs(sourceHost(a), InstanceFields.name(a, "args."),
                InstanceFields.flavor(a, "args."), InstanceFields.imageId(a, "args."),
                optionalBoolean(a, "args.block_migration", "block_migration")
                        .orElseThrow(() -> new Invalid("args.block_migration is required")),
                optionalLong(a, "args.disk_virtual_size", "disk_virtual_size", 0, Gib.toBytes(Flavor.MAX_DISK_GB))
                        .orElse(null),
                InstanceFields.metadata(a.get("metadata"), "args."),
                optionalBoolean(a, "args.start", "start").orElse(null), configDrive,
                SecurityGroupsReader.optional(a.get("security_groups"), "args."), resizeFlavor(a),
                volumes(a, MigrationArgsReader::preparedVolume), probe(a), arrivalNotice(a));
    }

    private static @Nullable String arrivalNotice(JsonNode a) {
        String id = optionalString(a, "args.arrival_notice", "arrival_notice").orElse(null);
        if (id != null && !NOTICE_ID.matcher(id).matches()) {
            throw new Invalid("args.arrival_notice must be 1-64 chars of [A-Za-z0-9-]");
        }
        return id;
    }

    private static @Nullable Flavor resizeFlavor(JsonNode a) {
        JsonNode flavor = a.get("resize_flavor");
        if (flavor == null || flavor.isNull()) {
            return null;
        }
        ObjectNode wrapped = JsonNodeFactory.instance.objectNode();
        wrapped.set("flavor", flavor);
        return InstanceFields.flavor(wrapped, "args.resize_");
    }

    private static @Nullable MigrationResize resize(JsonNode a) {
        JsonNode resize = optionalObject(a, "args.resize", "resize");
        if (resize == null) {
            return null;
        }
        String requestId = optionalString(resize, "args.resize.request_id", "request_id")
                .orElseThrow(() -> new Invalid("args.resize.request_id is required"));
        if (!CommandValidator.REQUEST_ID.matcher(requestId).matches()) {
            throw new Invalid("args.resize.request_id must be 1-128 chars of [A-Za-z0-9._:-]");
        }
        return new MigrationResize(InstanceFields.flavor(resize, "args.resize."), requestId);
    }

    static MigrationAdoptArgs adopt(JsonNode a) {
        String migrateRequestId = optionalString(a, "args.migrate_request_id", "migrate_request_id").orElse(null);
        if (migrateRequestId != null && !CommandValidator.REQUEST_ID.matcher(migrateRequestId).matches()) {
            throw new Invalid("args.migrate_request_id must be 1-128 chars of [A-Za-z0-9._:-]");
        }
        JsonNode instance = optionalObject(a, "args.instance", "instance");
        return new MigrationAdoptArgs(sourceHost(a), migrateRequestId,
                instance == null ? null : migratedInstance(instance),
                optionalBoolean(a, "args.start", "start").orElse(null), resize(a),
                optionalBoolean(a, "args.after_post_copy_failure", "after_post_copy_failure").orElse(null),
                optionalBoolean(a, "args.source_copy_gone", "source_copy_gone").orElse(null));
    }

    static MigrationAbortArgs abort(JsonNode a) {
        String reason = optionalString(a, "args.reason", "reason").orElse(null);
        if (reason != null && reason.codePointCount(0, reason.length()) > ABORT_REASON_CHARS) {
            throw new Invalid("args.reason is longer than " + ABORT_REASON_CHARS + " characters");
        }
        return new MigrationAbortArgs(sourceHost(a), reason);
    }

    private static MigratedInstance migratedInstance(JsonNode i) {
        String prefix = "args.instance.";
        String createdAt = optionalString(i, prefix + "created_at", "created_at").orElse(null);
        if (createdAt != null) {
            try {
                Instant.parse(createdAt);
            } catch (DateTimeParseException e) {
                throw new Invalid(prefix + "created_at must be an RFC 3339 UTC timestamp");
            }
        }
        String spawnRequest = optionalString(i, prefix + "spawn_request", "spawn_request").orElse(null);
        if (spawnRequest != null && !CommandValidator.REQUEST_ID.matcher(spawnRequest).matches()) {
            throw new Invalid(prefix + "spawn_request must be 1-128 chars of [A-Za-z0-9._:-]");
        }
        String specSha256 = optionalString(i, prefix + "spec_sha256", "spec_sha256").orElse(null);
        if (specSha256 != null && !SHA256_HEX.matcher(specSha256).matches()) {
            throw new Invalid(prefix + "spec_sha256 must be 64 lower-case hex digits");
        }
        return new MigratedInstance(InstanceFields.name(i, prefix), InstanceFields.flavor(i, prefix),
                InstanceFields.imageId(i, prefix), InstanceFields.nics(i.get("nics"), prefix),
                InstanceFields.metadata(i.get("metadata"), prefix), createdAt, spawnRequest, specSha256,
                SecurityGroupsReader.optional(i.get("security_groups"), prefix));
    }

    private static String sourceHost(JsonNode a) {
        return pattern(a, "source_host", HOST, HOST_RULE, "args.");
    }

    private static void requireBase64(String raw, String where, int limit) {
        if (raw.length() > (limit / 3 + 1) * 4) {
            throw new Invalid(where + " is larger than " + limit / 1024 + " KiB");
        }
        try {
            Base64.getDecoder().decode(raw);
        } catch (IllegalArgumentException e) {
            throw new Invalid(where + " is not valid base64");
        }
    }
}
