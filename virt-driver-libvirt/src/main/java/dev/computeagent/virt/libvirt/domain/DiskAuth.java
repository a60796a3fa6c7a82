package dev.computeagent.virt.libvirt.domain;

import java.util.Objects;
import java.util.UUID;

/**
 * A network disk's {@code <auth>}: the user name and a reference to the libvirt secret holding the
 * password or key. The value itself is never part of a domain definition.
 */
public record DiskAuth(String username, SecretType type, UUID secret) {

    public DiskAuth {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(secret, "secret");
    }
}
