package dev.computeagent.agent.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The nonces of authentic internal commands seen within the signature window: a nonce seen twice is
 * a replay. Only nonces of messages whose signature was verified enter it, so its size follows the
 * agents' own traffic; it is bounded anyway ({@value #MAX_ENTRIES}, the oldest forgotten first).
 * Thread-safe.
 */
final class ReplayGuard {

    static final int MAX_ENTRIES = 100_000;

    private final Duration window;
    private final Clock clock;
    // insertion order is (nearly) signing order: the eldest entries expire first
    private final LinkedHashMap<String, Instant> seen = new LinkedHashMap<>();

    ReplayGuard(Duration window, Clock clock) {
        this.window = window;
        this.clock = clock;
    }

    /** Records {@code nonce}, signed at {@code signedAt}; false when it was seen before. */
    synchronized boolean firstUse(String nonce, Instant signedAt) {
        Instant now = clock.instant();
        for (Iterator<Map.Entry<String, Instant>> it = seen.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Instant> eldest = it.next();
            if (eldest.getValue().isAfter(now) && seen.size() < MAX_ENTRIES) {
                break;
            }
            it.remove();
        }
        return seen.putIfAbsent(nonce, signedAt.plus(window)) == null;
    }
}
