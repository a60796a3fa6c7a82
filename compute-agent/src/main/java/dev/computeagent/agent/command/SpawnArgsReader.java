package dev.computeagent.agent.command;

import static dev.computeagent.agent.command.JsonFields.abbreviate;

import dev.computeagent.agent.message.RebuildArgs;
import dev.computeagent.agent.message.SpawnArgs;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/** {@code spawn.args}, read with every rule of the contract. */
final class SpawnArgsReader {

    static final int USER_DATA_LIMIT = 64 * 1024;
    static final int PUBLIC_KEYS = 32;
    static final int PUBLIC_KEY_NAME_CHARS = 255;
    static final int PUBLIC_KEY_CHARS = 16_384;
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    /** One OpenSSH public key line: key type, base64 blob, optional comment; no options, no line breaks. */
    private static final Pattern PUBLIC_KEY =
            Pattern.compile("([a-z0-9@.-]{3,64}) ([A-Za-z0-9+/]+={0,3})( [^\\p{Cntrl}]*)?");
    private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");

    private SpawnArgsReader() {
    }

    static SpawnArgs read(JsonNode a) {
        String prefix = "args.";
        return new SpawnArgs(InstanceFields.name(a, prefix), InstanceFields.flavor(a, prefix),
                InstanceFields.imageId(a, prefix), InstanceFields.nics(a.get("nics"), prefix),
                InstanceFields.metadata(a.get("metadata"), prefix), userData(a.get("user_data")),
                publicKeys(a.get("public_keys")), SecurityGroupsReader.optional(a.get("security_groups"), prefix));
    }

    /**
     * {@code rebuild.args}: an optional image id, user data and public keys with a spawn's rules, an optional
     * {@code preserve_ephemeral}; {@code timeoutS} is read by the caller.
     */
    static RebuildArgs rebuild(JsonNode a, @Nullable Integer timeoutS) {
        JsonNode keys = a.get("public_keys");
        return new RebuildArgs(InstanceFields.optionalImageId(a, "args."), userData(a.get("user_data")),
                keys == null || keys.isNull() ? null : publicKeys(keys),
                JsonFields.optionalBoolean(a, "args.preserve_ephemeral", "preserve_ephemeral").orElse(null), timeoutS);
    }

    /**
     * The user data as base64 without white space (MIME-style line breaks every 76 characters are accepted:
     * white space is not data), or null; its decoded size is at most 64 KiB.
     */
    private static @Nullable String userData(@Nullable JsonNode userData) {
        if (userData == null || userData.isNull()) {
            return null;
        }
        if (!userData.isString()) {
            throw new Invalid("args.user_data must be a base64 string");
        }
        String raw = userData.stringValue();
        int encodedLimit = (USER_DATA_LIMIT / 3 + 1) * 4;
        // the raw bound only keeps a huge string from being copied; the real bound follows
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
        return text;
    }

    /**
     * Name → OpenSSH public key. A key is one line whose base64 blob decodes to an SSH key of the type
     * it names (the blob starts with that type), so neither options ({@code command="…"}) nor a second
     * line can reach the guest's {@code authorized_keys}.
     */
    private static Map<String, String> publicKeys(@Nullable JsonNode keys) {
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
}
