package dev.computeagent.agent.migration;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The request ids of a migration's agent-to-agent steps: the controller's request id with the step's suffix
 * ({@code .prepare}, {@code .adopt}, …), so that a redelivered {@code migrate} asks each step again under the same
 * id and the destination's journal answers it. A request id has at most {@value #MAX} characters: when the suffix
 * does not fit after the controller's id, a digest of that id stands for it ({@code sha256:<hex>}), the same for
 * every delivery and another for another id.
 */
final class StepRequestIds {

    /** The longest request id the contract allows. */
    static final int MAX = 128;

    private StepRequestIds() {
    }

    /** The id of the step {@code suffix} of the request {@code requestId}. */
    static String of(String requestId, String suffix) {
        if (requestId.length() + suffix.length() <= MAX) {
            return requestId + suffix;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(requestId.getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(digest) + suffix;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
