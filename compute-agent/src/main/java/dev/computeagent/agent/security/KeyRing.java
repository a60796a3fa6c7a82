package dev.computeagent.agent.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * The keys the agents of one cloud share to sign their agent-to-agent ({@code migration.*})
 * commands: a set of keys by id, one of them active. The agent signs with the active key and
 * accepts a signature by any key of the set, so keys rotate without a flag day (add the new key
 * everywhere, then make it active everywhere, then remove the old one). An empty ring means no key
 * is configured: internal commands are then neither sent nor accepted.
 *
 * <p>Secrets never leave this class: {@link #toString()} names the key ids only, and no error message
 * quotes a secret. Immutable and thread-safe.
 */
public final class KeyRing {

    /** The shortest secret accepted: 256 bits, HMAC-SHA256's own strength. */
    public static final int MIN_KEY_BYTES = 32;
    static final String ALGORITHM = "HmacSHA256";
    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private final Map<String, SecretKeySpec> keys;
    private final @Nullable String activeKeyId;

    private KeyRing(Map<String, SecretKeySpec> keys, @Nullable String activeKeyId) {
        this.keys = Collections.unmodifiableMap(new TreeMap<>(keys));
        this.activeKeyId = activeKeyId;
    }

    /** No key: internal commands are refused. */
    public static KeyRing empty() {
        return new KeyRing(Map.of(), null);
    }

    /**
     * Loads the keys: every regular file of {@code keysDir} whose name does not start with a dot (a
     * Kubernetes Secret volume's own {@code ..data} entries do) is a key, its name the key id, its
     * content (trailing line breaks and blanks removed) the secret; plus {@code inlineKey} under
     * {@code inlineKeyId}. The active key is {@code activeKeyId}, or the only key when there is one.
     *
     * @throws IllegalStateException a key id that is not 1-64 chars of {@code [A-Za-z0-9._-]}, a
     *                               secret shorter than {@link #MIN_KEY_BYTES}, one id given twice, an
     *                               unreadable directory, or no unambiguous active key; the message
     *                               names the configuration key and the key id, never the secret
     */
    public static KeyRing load(@Nullable Path keysDir, @Nullable String inlineKey, String inlineKeyId,
                               @Nullable String activeKeyId) {
        Map<String, SecretKeySpec> keys = new TreeMap<>();
        if (keysDir != null) {
            readDirectory(keysDir, keys);
        }
        if (inlineKey != null && !inlineKey.isBlank()) {
            add(keys, inlineKeyId, inlineKey.strip().getBytes(StandardCharsets.UTF_8),
                    "agent.internal-auth.key (id " + inlineKeyId + ")");
        }
        if (keys.isEmpty()) {
            if (activeKeyId != null && !activeKeyId.isBlank()) {
                throw new IllegalStateException("agent.internal-auth.active-key-id is " + activeKeyId
                        + " but no key is configured (agent.internal-auth.keys-dir or agent.internal-auth.key)");
            }
            return empty();
        }
        String active;
        if (activeKeyId != null && !activeKeyId.isBlank()) {
            if (!keys.containsKey(activeKeyId)) {
                throw new IllegalStateException("agent.internal-auth.active-key-id " + activeKeyId
                        + " is not one of the configured keys " + keys.keySet());
            }
            active = activeKeyId;
        } else if (keys.size() == 1) {
            active = keys.keySet().iterator().next();
        } else {
            throw new IllegalStateException("several agent-to-agent keys are configured " + keys.keySet()
                    + ": set agent.internal-auth.active-key-id to the one to sign with");
        }
        return new KeyRing(keys, active);
    }

    private static void readDirectory(Path dir, Map<String, SecretKeySpec> keys) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String id = entry.getFileName().toString();
                if (id.startsWith(".") || !Files.isRegularFile(entry)) {
                    continue;
                }
                add(keys, id, strip(Files.readAllBytes(entry)), "key file " + entry);
            }
        } catch (IOException e) {
            throw new IllegalStateException("agent.internal-auth.keys-dir " + dir + " cannot be read: "
                    + e.getClass().getSimpleName(), e);
        }
    }

    private static void add(Map<String, SecretKeySpec> keys, String id, byte[] secret, String where) {
        if (!KEY_ID.matcher(id).matches()) {
            throw new IllegalStateException(where + ": the key id must be 1-64 chars of [A-Za-z0-9._-]");
        }
        if (secret.length < MIN_KEY_BYTES) {
            Arrays.fill(secret, (byte) 0);
            throw new IllegalStateException(where + ": the key is shorter than " + MIN_KEY_BYTES
                    + " bytes (generate one with: openssl rand -base64 48)");
        }
        if (keys.containsKey(id)) {
            throw new IllegalStateException(where + ": key id " + id + " is configured twice");
        }
        keys.put(id, new SecretKeySpec(secret, ALGORITHM));
        Arrays.fill(secret, (byte) 0);
    }

    private static byte[] strip(byte[] content) {
        int end = content.length;
        while (end > 0 && (content[end - 1] == '\n' || content[end - 1] == '\r' || content[end - 1] == ' '
                || content[end - 1] == '\t')) {
            end--;
        }
        byte[] stripped = Arrays.copyOf(content, end);
        Arrays.fill(content, (byte) 0);
        return stripped;
    }

    public boolean isEmpty() {
        return keys.isEmpty();
    }

    /** The id of the key to sign with. */
    public Optional<String> activeKeyId() {
        return Optional.ofNullable(activeKeyId);
    }

    /** The key with id {@code id}, if the ring has it. */
    Optional<SecretKeySpec> key(String id) {
        return Optional.ofNullable(keys.get(id));
    }

    /** The key ids only, never a secret. */
    @Override
    public String toString() {
        return "KeyRing[keys=" + keys.keySet() + ", active=" + activeKeyId + "]";
    }
}
