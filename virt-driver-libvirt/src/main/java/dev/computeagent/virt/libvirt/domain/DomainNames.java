package dev.computeagent.virt.libvirt.domain;

import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** The libvirt domain name of an instance: {@code instance-<uuid>}, lower-case canonical uuid. */
public final class DomainNames {

    public static final String PREFIX = "instance-";

    private static final Pattern NAME = Pattern.compile(
            "instance-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})");

    private DomainNames() {
    }

    /** {@code instance-<uuid>}. */
    public static String forUuid(UUID uuid) {
        return PREFIX + uuid.toString().toLowerCase(Locale.ROOT);
    }

    /** {@code ca-sg-<uuid>}: the network filter of the instance's security groups, referenced by its NICs. */
    public static String securityGroupFilter(UUID uuid) {
        return "ca-sg-" + uuid.toString().toLowerCase(Locale.ROOT);
    }

    /** The uuid of a name made by {@link #forUuid}; empty for any other name (not an agent domain). */
    public static Optional<UUID> uuidOf(@Nullable String domainName) {
        if (domainName == null) {
            return Optional.empty();
        }
        var matcher = NAME.matcher(domainName);
        return matcher.matches() ? Optional.of(UUID.fromString(matcher.group(1))) : Optional.empty();
    }
}
