package dev.computeagent.agent.handler;

import dev.computeagent.agent.message.SpawnArgs;
import dev.computeagent.virt.NicSpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * A SHA-256 over everything a {@code spawn} asks for, in a canonical, length-prefixed form, so
 * "same spec" (the contract's idempotent re-send of {@code spawn}) is a comparison of two strings stored with the instance. Arguments added
 * after the first release enter the hash only when given, so a spawn without them keeps the
 * fingerprint it always had (an instance spawned by an older agent still matches its redelivery).
 */
public final class SpecFingerprint {

    private SpecFingerprint() {
    }

    public static String of(SpawnArgs r) {
        MessageDigest sha = sha256();
        field(sha, r.name());
        field(sha, r.flavor().vcpus() + "/" + r.flavor().memoryMb() + "/" + r.flavor().rootGb() + "/"
                + r.flavor().ephemeralGb());
        field(sha, r.imageId());
        field(sha, Integer.toString(r.nics().size()));
        for (NicSpec n : r.nicSpecs()) {
            field(sha, n.type().name());
            field(sha, n.source().orElse(""));
            field(sha, n.mac().orElse(""));
            field(sha, n.model());
        }
        Map<String, String> sorted = new TreeMap<>(r.metadata());
        field(sha, Integer.toString(sorted.size()));
        sorted.forEach((k, v) -> {
            field(sha, k);
            field(sha, v);
        });
        byte[] userData = r.userDataBytes().orElse(null);
        field(sha, userData == null ? "-" : "+" + HexFormat.of().formatHex(sha256().digest(userData)));
        if (!r.publicKeys().isEmpty()) {
            field(sha, "public_keys");
            Map<String, String> keys = new TreeMap<>(r.publicKeys());
            field(sha, Integer.toString(keys.size()));
            keys.forEach((name, key) -> {
                field(sha, name);
                field(sha, key);
            });
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static void field(MessageDigest sha, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        sha.update((bytes.length + ":").getBytes(StandardCharsets.US_ASCII));
        sha.update(bytes);
    }

    /** A fresh SHA-256 digest (every JRE has one). */
    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}
