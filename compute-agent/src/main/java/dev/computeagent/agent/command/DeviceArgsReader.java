package dev.computeagent.agent.command;

import static dev.computeagent.agent.command.JsonFields.optionalBoolean;
import static dev.computeagent.agent.command.JsonFields.optionalInt;
import static dev.computeagent.agent.command.JsonFields.optionalObject;
import static dev.computeagent.agent.command.JsonFields.optionalString;
import static dev.computeagent.agent.command.JsonFields.pattern;
import static dev.computeagent.agent.command.JsonFields.requiredString;

import dev.computeagent.agent.message.AttachInterfaceArgs;
import dev.computeagent.agent.message.AttachVolumeArgs;
import dev.computeagent.agent.message.ConnectionInfoArgs;
import dev.computeagent.agent.message.DetachInterfaceArgs;
import dev.computeagent.agent.message.DetachVolumeArgs;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The arguments of {@code attach_volume}, {@code detach_volume}, {@code attach_interface} and
 * {@code detach_interface}. A rejection names the field, never a credential's value.
 */
final class DeviceArgsReader {

    static final Pattern VOLUME_ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    static final Pattern DEVICE = Pattern.compile("vd[b-z]");
    private static final Pattern MAC = Pattern.compile("[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}");
    private static final int MAX_DETACH_TIMEOUT_S = 3600;
    private static final int MAX_MONITORS = 16;

    private DeviceArgsReader() {
    }

    static AttachVolumeArgs attachVolume(JsonNode a) {
        String volumeId = pattern(a, "volume_id", VOLUME_ID, "1-128 chars of [A-Za-z0-9._-]", "args.");
        Optional<String> device = optionalString(a, "args.device", "device");
        if (device.isPresent() && !DEVICE.matcher(device.get()).matches()) {
            throw new Invalid("args.device must be vdb-vdz");
        }
        Boolean readOnly = optionalBoolean(a, "args.read_only", "read_only").orElse(null);
        ConnectionInfoArgs connection = connectionInfo(a, "args.");
        return new AttachVolumeArgs(volumeId, device.orElse(null), readOnly, connection);
    }

    /**
     * The required {@code connection_info} of {@code parent} (at {@code prefix}), validated as the driver API
     * validates it. A rejection names the field, never a credential's value.
     */
    static ConnectionInfoArgs connectionInfo(JsonNode parent, String prefix) {
        JsonNode info = optionalObject(parent, prefix + "connection_info", "connection_info");
        if (info == null) {
            throw new Invalid(prefix + "connection_info is required");
        }
        String type = requiredString(info, prefix + "connection_info.driver_volume_type", "driver_volume_type");
        JsonNode data = optionalObject(info, prefix + "connection_info.data", "data");
        if (data == null) {
            throw new Invalid(prefix + "connection_info.data is required");
        }
        String where = prefix + "connection_info.data.";
        ConnectionInfoArgs connection = new ConnectionInfoArgs(type, new ConnectionInfoArgs.Data(
                text(data, where, "path"), text(data, where, "format"), text(data, where, "device_path"),
                optionalBoolean(data, where + "shared", "shared").orElse(null),
                text(data, where, "target_portal"), text(data, where, "target_iqn"),
                optionalInt(data, where + "target_lun", "target_lun", 0, 16383),
                text(data, where, "auth_method"), text(data, where, "auth_username"),
                text(data, where, "auth_password"), text(data, where, "name"),
                strings(data, where, "hosts"), strings(data, where, "ports"), text(data, where, "secret")));
        try {
            connection.toConnection();
        } catch (IllegalArgumentException e) {
            // the API's messages name fields and rules, never values
            throw new Invalid(prefix + "connection_info: " + e.getMessage());
        }
        return connection;
    }

    static DetachVolumeArgs detachVolume(JsonNode a) {
        return new DetachVolumeArgs(pattern(a, "volume_id", VOLUME_ID, "1-128 chars of [A-Za-z0-9._-]", "args."),
                optionalInt(a, "args.timeout_s", "timeout_s", 1, MAX_DETACH_TIMEOUT_S));
    }

    static AttachInterfaceArgs attachInterface(JsonNode a) {
        JsonNode nic = optionalObject(a, "args.nic", "nic");
        if (nic == null) {
            throw new Invalid("args.nic is required");
        }
        return new AttachInterfaceArgs(InstanceFields.nic(nic, "args.nic"));
    }

    static DetachInterfaceArgs detachInterface(JsonNode a) {
        String mac = pattern(a, "mac", MAC, "a MAC address like aa:bb:cc:dd:ee:ff", "args.");
        return new DetachInterfaceArgs(mac.toLowerCase(Locale.ROOT),
                optionalInt(a, "args.timeout_s", "timeout_s", 1, MAX_DETACH_TIMEOUT_S));
    }

    private static @Nullable String text(JsonNode data, String where, String field) {
        Optional<String> value = optionalString(data, where + field, field);
        if (value.isPresent() && (value.get().isEmpty() || value.get().length() > 4096)) {
            throw new Invalid(where + field + " must be 1-4096 characters");
        }
        return value.orElse(null);
    }

    private static @Nullable List<String> strings(JsonNode data, String where, String field) {
        JsonNode v = data.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isArray() || v.size() > MAX_MONITORS) {
            throw new Invalid(where + field + " must be an array of at most " + MAX_MONITORS + " strings");
        }
        List<String> result = new ArrayList<>();
        for (JsonNode item : v) {
            if (!item.isString()) {
                throw new Invalid(where + field + " must be an array of strings");
            }
            result.add(item.stringValue());
        }
        return result;
    }
}
