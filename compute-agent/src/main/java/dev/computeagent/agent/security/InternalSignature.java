package dev.computeagent.agent.security;

import dev.computeagent.agent.text.Untrusted;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * The signature of an agent-to-agent command: HMAC-SHA256, with a key of the {@link KeyRing}, over
 * the exact body bytes, the sending and receiving hosts, a timestamp, a random nonce and the reply
 * address ({@code reply_to}, {@code correlation_id}), carried in AMQP headers:
 *
 * <ul>
 *   <li>{@value #KEY_ID} - the id of the signing key,</li>
 *   <li>{@value #SENDER} - the sending agent's {@code agent.host},</li>
 *   <li>{@value #TIMESTAMP} - when it was signed, milliseconds since the epoch (decimal text),</li>
 *   <li>{@value #NONCE} - 32 hex digits, never used twice,</li>
 *   <li>{@value #SIGNATURE} - base64 of the HMAC.</li>
 * </ul>
 *
 * <p>The signed bytes are {@value #DOMAIN}, then each of key id, sender, recipient, timestamp,
 * nonce, reply-to (RabbitMQ's direct reply-to, which the broker rewrites to a per-channel name on
 * delivery, counts as {@code amq.rabbitmq.reply-to}) and correlation id as {@code <length>:<value>\n}
 * (absent = empty), then the body:
 * no two different messages sign the same bytes, and a message signed for one host is refused by any
 * other. Thread-safe.
 */
public final class InternalSignature {

    public static final String KEY_ID = "x-agent-key-id";
    public static final String SENDER = "x-agent-sender";
    public static final String TIMESTAMP = "x-agent-timestamp";
    public static final String NONCE = "x-agent-nonce";
    public static final String SIGNATURE = "x-agent-signature";
    static final String DOMAIN = "compute-agent-internal-v1\n";
    /** RabbitMQ's direct reply-to: the broker rewrites it on delivery to a channel-specific name below it. */
    static final String DIRECT_REPLY_TO = "amq.rabbitmq.reply-to";
    /** How far a sender's clock may run ahead of the receiver's. */
    static final Duration FUTURE_SKEW = Duration.ofMinutes(2);
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    private static final Pattern NONCE_FORM = Pattern.compile("[0-9a-f]{32}");
    private static final Pattern MILLIS = Pattern.compile("[0-9]{1,18}");

    private final KeyRing keys;
    private final Clock clock;
    private final Duration maxAge;
    private final ReplayGuard replays;
    private final SecureRandom random = new SecureRandom();

    /**
     * @param maxAge how old a signature may be when it is checked: at least the longest time an
     *               internal command may wait in a queue (its TTL, 10 minutes for prepare)
     */
    public InternalSignature(KeyRing keys, Clock clock, Duration maxAge) {
        this.keys = keys;
        this.clock = clock;
        this.maxAge = maxAge;
        this.replays = new ReplayGuard(maxAge.plus(FUTURE_SKEW), clock);
    }

    /** The outcome of checking a signature: the authenticated sender, or why it was refused. */
    public sealed interface Verdict {
        /** Signed by {@code sender} with a key of the ring, fresh, not seen before. */
        record Authentic(String sender) implements Verdict {
        }

        /** Refused; {@code reason} names the check that failed and quotes no secret. */
        record Refused(String reason) implements Verdict {
        }
    }

    public boolean canSign() {
        return !keys.isEmpty();
    }

    /**
     * The headers that sign {@code body} from {@code sender} to {@code recipient}.
     *
     * @throws IllegalStateException no key is configured
     */
    public Map<String, Object> sign(String sender, String recipient, @Nullable String replyTo,
                                    @Nullable String correlationId, byte[] body) {
        String keyId = keys.activeKeyId().orElseThrow(() -> new IllegalStateException(
                "no key for agent-to-agent commands: configure agent.internal-auth.keys-dir or agent.internal-auth.key"));
        byte[] nonceBytes = new byte[16];
        random.nextBytes(nonceBytes);
        String nonce = HexFormat.of().formatHex(nonceBytes);
        String timestamp = Long.toString(clock.millis());
        byte[] mac = mac(keys.key(keyId).orElseThrow(), keyId, sender, recipient, timestamp, nonce, replyTo,
                correlationId, body);
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put(KEY_ID, keyId);
        headers.put(SENDER, sender);
        headers.put(TIMESTAMP, timestamp);
        headers.put(NONCE, nonce);
        headers.put(SIGNATURE, Base64.getEncoder().encodeToString(mac));
        return headers;
    }

    /**
     * Checks the signature of a message received by {@code recipient}.
     *
     * @param redelivered the broker's redelivered flag: the broker handed this very message out before
     *                    (a requeue, a lost channel), so its nonce may have been seen already; a copy
     *                    published again by someone else is never flagged so
     */
    public Verdict verify(Map<String, @Nullable Object> headers, String recipient, @Nullable String replyTo,
                          @Nullable String correlationId, byte[] body, boolean redelivered) {
        if (keys.isEmpty()) {
            return new Verdict.Refused("internal commands are refused: this agent has no key "
                    + "(agent.internal-auth.keys-dir or agent.internal-auth.key)");
        }
        String keyId = header(headers, KEY_ID);
        String sender = header(headers, SENDER);
        String timestamp = header(headers, TIMESTAMP);
        String nonce = header(headers, NONCE);
        String signature = header(headers, SIGNATURE);
        if (keyId == null || sender == null || timestamp == null || nonce == null || signature == null) {
            return new Verdict.Refused("internal command is not signed (headers " + KEY_ID + ", " + SENDER + ", "
                    + TIMESTAMP + ", " + NONCE + ", " + SIGNATURE + " required)");
        }
        Optional<SecretKeySpec> key = keys.key(keyId);
        if (key.isEmpty()) {
            return new Verdict.Refused("internal command signed with unknown key id "
                    + Untrusted.text(abbreviate(keyId)));
        }
        if (!HOST.matcher(sender).matches() || !NONCE_FORM.matcher(nonce).matches()
                || !MILLIS.matcher(timestamp).matches()) {
            return new Verdict.Refused("internal command has a malformed sender, nonce or timestamp header");
        }
        byte[] expected = mac(key.get(), keyId, sender, recipient, timestamp, nonce, replyTo, correlationId, body);
        byte[] given;
        try {
            given = Base64.getDecoder().decode(signature);
        } catch (IllegalArgumentException e) {
            return new Verdict.Refused("internal command signature is not base64");
        }
        if (!MessageDigest.isEqual(expected, given)) {
            return new Verdict.Refused("internal command signature does not match (body, headers or recipient "
                    + "changed, or another key)");
        }
        Instant signed = Instant.ofEpochMilli(Long.parseLong(timestamp));
        Instant now = clock.instant();
        if (signed.isBefore(now.minus(maxAge)) || signed.isAfter(now.plus(FUTURE_SKEW))) {
            return new Verdict.Refused("internal command signed at " + signed + " is outside the accepted window ("
                    + maxAge.toSeconds() + " s old at most)");
        }
        if (!replays.firstUse(nonce, signed) && !redelivered) {
            return new Verdict.Refused("internal command replayed (nonce " + nonce + " seen before)");
        }
        return new Verdict.Authentic(sender);
    }

    private static @Nullable String header(Map<String, @Nullable Object> headers, String name) {
        Object value = headers.get(name);
        return value == null ? null : value.toString();
    }

    private static byte[] mac(SecretKeySpec key, String keyId, String sender, String recipient, String timestamp,
                              String nonce, @Nullable String replyTo, @Nullable String correlationId, byte[] body) {
        ByteArrayOutputStream signed = new ByteArrayOutputStream(body.length + 256);
        signed.writeBytes(DOMAIN.getBytes(StandardCharsets.UTF_8));
        String reply = replyTo != null && replyTo.startsWith(DIRECT_REPLY_TO) ? DIRECT_REPLY_TO : replyTo;
        for (String field : new String[] {keyId, sender, recipient, timestamp, nonce, reply, correlationId}) {
            byte[] bytes = (field == null ? "" : field).getBytes(StandardCharsets.UTF_8);
            signed.writeBytes((bytes.length + ":").getBytes(StandardCharsets.US_ASCII));
            signed.writeBytes(bytes);
            signed.write('\n');
        }
        signed.writeBytes(body);
        try {
            Mac hmac = Mac.getInstance(KeyRing.ALGORITHM);
            hmac.init(key);
            return hmac.doFinal(signed.toByteArray());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available in this JVM", e);
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "…";
    }
}
