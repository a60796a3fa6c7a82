package dev.computeagent.agent.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InternalSignatureTest {

    private static final String OLD = "old-key-0123456789abcdefghijklmnopqrstuv";
    private static final String NEW = "new-key-0123456789abcdefghijklmnopqrstuv";
    private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");
    private static final byte[] BODY = "{\"command\":\"migration.check\"}".getBytes(StandardCharsets.UTF_8);

    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private final InternalSignature sender = signature(KeyRing.load(null, OLD, "k1", null), clock);
    private final InternalSignature receiver = signature(KeyRing.load(null, OLD, "k1", null), clock);

    private static InternalSignature signature(KeyRing ring, Clock clock) {
        return new InternalSignature(ring, clock, Duration.ofMinutes(15));
    }

    private InternalSignature.Verdict verify(InternalSignature by, Map<String, Object> headers, String recipient,
                                             String replyTo, byte[] body, boolean redelivered) {
        return by.verify(new HashMap<>(headers), recipient, replyTo, "c-1", body, redelivered);
    }

    @Test
    void aSignedCommandIsAuthenticIntactForItsRecipientAndOnlyOnce() {
        Map<String, Object> headers = sender.sign("node-7", "node-8", "reply-q", "c-1", BODY);

        assertThat(verify(receiver, headers, "node-8", "reply-q", BODY, false))
                .isEqualTo(new InternalSignature.Verdict.Authentic("node-7"));
        assertThat(verify(receiver, headers, "node-8", "reply-q", BODY, false))
                .isInstanceOfSatisfying(InternalSignature.Verdict.Refused.class,
                        r -> assertThat(r.reason()).contains("replayed"));
        assertThat(verify(receiver, headers, "node-8", "reply-q", BODY, true)).as("the broker's own redelivery")
                .isEqualTo(new InternalSignature.Verdict.Authentic("node-7"));
    }

    @Test
    void anyChangeOfBodyRecipientReplyAddressSenderOrKeyIsRefused() {
        Map<String, Object> headers = sender.sign("node-7", "node-8", "reply-q", "c-1", BODY);
        byte[] changed = BODY.clone();
        changed[3] ^= 1;
        Map<String, Object> otherSender = new HashMap<>(headers);
        otherSender.put(InternalSignature.SENDER, "node-6");

        assertThat(refusal(verify(receiver, headers, "node-8", "reply-q", changed, false))).contains("does not match");
        assertThat(refusal(verify(receiver, headers, "node-9", "reply-q", BODY, false))).contains("does not match");
        assertThat(refusal(verify(receiver, headers, "node-8", "evil-q", BODY, false))).contains("does not match");
        assertThat(refusal(verify(receiver, otherSender, "node-8", "reply-q", BODY, false))).contains("does not match");
        InternalSignature stranger = signature(KeyRing.load(null, NEW, "k1", null), clock);
        assertThat(refusal(verify(stranger, headers, "node-8", "reply-q", BODY, false))).contains("does not match");
        Map<String, Object> unsigned = new HashMap<>(headers);
        unsigned.remove(InternalSignature.SIGNATURE);
        assertThat(refusal(verify(receiver, unsigned, "node-8", "reply-q", BODY, false))).contains("not signed");
    }

    @Test
    void directReplyToStaysSignedThoughTheBrokerRewritesItOnDelivery() {
        Map<String, Object> headers = sender.sign("node-7", "node-8", "amq.rabbitmq.reply-to", "c-1", BODY);

        assertThat(verify(receiver, headers, "node-8", "amq.rabbitmq.reply-to.g1h2AA5yYm9vLXJlcGx5.Zm9v", BODY, false))
                .isEqualTo(new InternalSignature.Verdict.Authentic("node-7"));
        assertThat(refusal(verify(receiver, headers, "node-8", "my-own-queue", BODY, false))).contains("does not match");
    }

    @Test
    void staleAndFutureSignaturesAreRefused() {
        InternalSignature past = signature(KeyRing.load(null, OLD, "k1", null),
                Clock.fixed(NOW.minus(Duration.ofMinutes(16)), ZoneOffset.UTC));
        InternalSignature future = signature(KeyRing.load(null, OLD, "k1", null),
                Clock.fixed(NOW.plus(Duration.ofMinutes(3)), ZoneOffset.UTC));

        assertThat(refusal(verify(receiver, past.sign("a", "b", null, "c-1", BODY), "b", null, BODY, false)))
                .contains("outside the accepted window");
        assertThat(refusal(verify(receiver, future.sign("a", "b", null, "c-1", BODY), "b", null, BODY, false)))
                .contains("outside the accepted window");
    }

    @Test
    void keysRotateWithoutAFlagDay() {
        InternalSignature oldOnly = signature(KeyRing.load(null, OLD, "k1", null), clock);
        InternalSignature withNew = new InternalSignature(ring(OLD, NEW, "k2"), clock, Duration.ofMinutes(15));

        assertThat(verify(withNew, oldOnly.sign("a", "b", null, "c-1", BODY), "b", null, BODY, false))
                .as("a rotated agent still accepts the old key").isInstanceOf(InternalSignature.Verdict.Authentic.class);
        Map<String, Object> signedNew = withNew.sign("a", "b", null, "c-1", BODY);
        assertThat(signedNew).containsEntry(InternalSignature.KEY_ID, "k2");
        assertThat(refusal(verify(oldOnly, signedNew, "b", null, BODY, false))).contains("unknown key id k2");
        assertThat(signedNew.toString()).doesNotContain(OLD).doesNotContain(NEW);
    }

    @Test
    void withoutAKeyNothingIsSignedOrAccepted() {
        InternalSignature none = signature(KeyRing.empty(), clock);

        assertThat(none.canSign()).isFalse();
        assertThat(refusal(verify(none, sender.sign("a", "b", null, "c-1", BODY), "b", null, BODY, false)))
                .contains("agent.internal-auth.keys-dir");
    }

    private static KeyRing ring(String oldKey, String newKey, String active) {
        try {
            Path dir = Files.createTempDirectory("ring");
            Files.writeString(dir.resolve("k1"), oldKey);
            Files.writeString(dir.resolve("k2"), newKey);
            return KeyRing.load(dir, null, "default", active);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String refusal(InternalSignature.Verdict verdict) {
        assertThat(verdict).isInstanceOf(InternalSignature.Verdict.Refused.class);
        return ((InternalSignature.Verdict.Refused) verdict).reason();
    }
}
