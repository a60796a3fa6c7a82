package dev.computeagent.agent.message;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.computeagent.virt.NicSpec;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One entry of {@code spawn.args.nics}: {@code type} network|bridge|user, {@code source} absent for user,
 * {@code mac} absent = the agent chooses one, {@code model} absent = virtio.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NicArgs(
        @JsonProperty("type") String type,
        @JsonProperty("source") @Nullable String source,
        @JsonProperty("mac") @Nullable String mac,
        @JsonProperty("model") @Nullable String model) {

    /** The wire form of a validated NIC. */
    public static NicArgs of(NicSpec nic) {
        return new NicArgs(nic.type().name().toLowerCase(Locale.ROOT), nic.source().orElse(null), nic.mac().orElse(null),
                nic.model());
    }

    /**
     * This NIC, validated (model absent = {@code virtio}).
     *
     * @throws IllegalArgumentException an unknown type, or a value {@link NicSpec} refuses
     */
    public NicSpec toSpec() {
        NicSpec.Type nicType = switch (type) {
            case "network" -> NicSpec.Type.NETWORK;
            case "bridge" -> NicSpec.Type.BRIDGE;
            case "user" -> NicSpec.Type.USER;
            default -> throw new IllegalArgumentException("type must be network, bridge or user");
        };
        return new NicSpec(nicType, Optional.ofNullable(source), Optional.ofNullable(mac),
                model == null ? "virtio" : model);
    }
}
