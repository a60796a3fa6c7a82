package dev.computeagent.virt.device;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A user name and its secret, for a volume whose target authenticates its initiator (iSCSI CHAP,
 * Ceph {@code cephx}). The driver keeps the secret in the hypervisor's secret store, never in the
 * instance's definition.
 */
public record VolumeCredentials(String username, SecretValue secret) {

    private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9._:@-]{1,255}");

    public VolumeCredentials {
        Objects.requireNonNull(username, "username");
        if (!USERNAME.matcher(username).matches()) {
            throw new IllegalArgumentException("invalid volume user name");
        }
        Objects.requireNonNull(secret, "secret");
    }
}
