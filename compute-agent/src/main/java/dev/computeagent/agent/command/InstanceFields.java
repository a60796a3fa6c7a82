package dev.computeagent.agent.command;

import static dev.computeagent.agent.command.JsonFields.optionalLong;
import static dev.computeagent.agent.command.JsonFields.optionalString;
import static dev.computeagent.agent.command.JsonFields.pattern;
import static dev.computeagent.agent.command.JsonFields.requiredLong;
import static dev.computeagent.agent.command.JsonFields.requiredString;

import dev.computeagent.agent.message.NicArgs;
import dev.computeagent.virt.Flavor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The fields that describe an instance wherever a command carries one ({@code spawn}, and the instance a
 * migration hands over): name, flavor, image, NICs, metadata; each read with the contract's limits.
 */
final class InstanceFields {

    static final int METADATA_ENTRIES = 128;
    static final int METADATA_KEY_CHARS = 255;
    static final int METADATA_VALUE_CHARS = 4096;
    /** Most NICs of one instance: a PCI slot each, and a bound on the work a spawn asks for. */
    static final int MAX_NICS = 16;
    private static final int NAME_CHARS = 255;
    private static final Pattern IMAGE_ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    private static final Pattern MAC = Pattern.compile("[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}");

    private InstanceFields() {
    }

    static String name(JsonNode a, String prefix) {
        String name = requiredString(a, prefix + "name", "name");
        int nameChars = name.codePointCount(0, name.length());
        if (nameChars < 1 || nameChars > NAME_CHARS) {
            throw new Invalid(prefix + "name must be 1-" + NAME_CHARS + " characters");
        }
        return name;
    }

    static String imageId(JsonNode a, String prefix) {
        return pattern(a, "image_id", IMAGE_ID, "1-128 chars of [A-Za-z0-9._-]", prefix);
    }

    /** An optional {@code image_id}, the same rule as a spawn's. */
    static @Nullable String optionalImageId(JsonNode a, String prefix) {
        JsonNode v = a.get("image_id");
        return v == null || v.isNull() ? null : imageId(a, prefix);
    }

    /** The flavor limits of the contract ({@link Flavor}'s); disks bounded so that their size in bytes cannot overflow. */
    static Flavor flavor(JsonNode a, String prefix) {
        JsonNode f = a.get("flavor");
        String where = prefix + "flavor";
        if (f == null || !f.isObject()) {
            throw new Invalid(where + " is required and must be an object");
        }
        return new Flavor(
                (int) requiredLong(f, where + ".vcpus", "vcpus", 1, Flavor.MAX_VCPUS),
                requiredLong(f, where + ".memory_mb", "memory_mb", Flavor.MIN_MEMORY_MB, Flavor.MAX_MEMORY_MB),
                requiredLong(f, where + ".root_gb", "root_gb", 0, Flavor.MAX_DISK_GB),
                optionalLong(f, where + ".ephemeral_gb", "ephemeral_gb", 0, Flavor.MAX_DISK_GB).orElse(0L));
    }

    /** NICs as given, each valid: MAC in lower case, model defaulted to {@code virtio}. */
    static List<NicArgs> nics(@Nullable JsonNode nics, String prefix) {
        if (nics == null || nics.isNull()) {
            return List.of();
        }
        if (!nics.isArray()) {
            throw new Invalid(prefix + "nics must be an array");
        }
        if (nics.size() > MAX_NICS) {
            throw new Invalid(prefix + "nics has more than " + MAX_NICS + " entries");
        }
        List<NicArgs> result = new ArrayList<>();
        for (int i = 0; i < nics.size(); i++) {
            result.add(nic(nics.get(i), prefix + "nics[" + i + "]"));
        }
        return result;
    }

    static NicArgs nic(JsonNode n, String where) {
        if (!n.isObject()) {
            throw new Invalid(where + " must be an object");
        }
        String type = requiredString(n, where + ".type", "type");
        if (!List.of("network", "bridge", "user").contains(type)) {
            throw new Invalid(where + ".type must be network, bridge or user");
        }
        Optional<String> source = optionalString(n, where + ".source", "source");
        if (type.equals("user") && source.isPresent()) {
            throw new Invalid(where + ".source must be absent for a user NIC");
        }
        if (!type.equals("user") && source.isEmpty()) {
            throw new Invalid(where + ".source is required for a " + type + " NIC");
        }
        Optional<String> mac = optionalString(n, where + ".mac", "mac");
        if (mac.isPresent() && !MAC.matcher(mac.get()).matches()) {
            throw new Invalid(where + ".mac must look like aa:bb:cc:dd:ee:ff");
        }
        NicArgs nic = new NicArgs(type, source.orElse(null), mac.map(m -> m.toLowerCase(Locale.ROOT)).orElse(null),
                optionalString(n, where + ".model", "model").orElse("virtio"));
        try {
            nic.toSpec();
        } catch (IllegalArgumentException e) {
            throw new Invalid(where + ": " + e.getMessage());
        }
        return nic;
    }

    static Map<String, String> metadata(@Nullable JsonNode metadata, String prefix) {
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
}
