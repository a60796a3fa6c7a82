package dev.computeagent.virt.libvirt.domain;

import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** The libvirt domain name of an instance: {@code instance-<uuid>}, lower-case canonical uuid. */
public final class DomainNames {

    public static final String PREFIX = "instance-";

    private static final String UUID_GROUP = "([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})";
    private static final Pattern NAME = Pattern.compile("instance-" + UUID_GROUP);
    private static final Pattern FILTER = Pattern.compile("ca-sg-" + UUID_GROUP);

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
        return uuidIn(NAME, domainName);
    }

    /** The instance of a filter named by {@link #securityGroupFilter}; empty for any other filter. */
    public static Optional<UUID> uuidOfSecurityGroupFilter(@Nullable String filterName) {
        return uuidIn(FILTER, filterName);
    }

    private static Optional<UUID> uuidIn(Pattern pattern, @Nullable String name) {
        if (name == null) {
            return Optional.empty();
        }
        var matcher = pattern.matcher(name);
        return matcher.matches() ? Optional.of(UUID.fromString(matcher.group(1))) : Optional.empty();
    }
}
