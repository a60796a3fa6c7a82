package dev.computeagent.agent.message;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.computeagent.virt.DiskSpec;
import dev.computeagent.virt.device.SecretValue;
import dev.computeagent.virt.device.VolumeConnection;
import dev.computeagent.virt.device.VolumeCredentials;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * {@code attach_volume.args.connection_info}, Nova-like: {@code driver_volume_type} file|block|iscsi|rbd and
 * its {@code data}. {@link #toString()} never shows the credentials.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ConnectionInfoArgs(@JsonProperty("driver_volume_type") String driverVolumeType,
                                 @JsonProperty("data") Data data) {

    /**
     * The fields of every type, each used by the types named: {@code path}, {@code format} raw|qcow2
     * (file); {@code device_path} (block); {@code shared} (file, block); {@code target_portal}
     * {@code host:port}, {@code target_iqn}, {@code target_lun}, {@code auth_method} CHAP,
     * {@code auth_username}, {@code auth_password} (iscsi); {@code name} {@code pool/image}, {@code hosts},
     * {@code ports}, {@code auth_username}, {@code secret} (rbd).
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Data(
            @JsonProperty("path") @Nullable String path,
            @JsonProperty("format") @Nullable String format,
            @JsonProperty("device_path") @Nullable String devicePath,
            @JsonProperty("shared") @Nullable Boolean shared,
            @JsonProperty("target_portal") @Nullable String targetPortal,
            @JsonProperty("target_iqn") @Nullable String targetIqn,
            @JsonProperty("target_lun") @Nullable Integer targetLun,
            @JsonProperty("auth_method") @Nullable String authMethod,
            @JsonProperty("auth_username") @Nullable String authUsername,
            @JsonProperty("auth_password") @Nullable String authPassword,
            @JsonProperty("name") @Nullable String name,
            @JsonProperty("hosts") @Nullable List<String> hosts,
            @JsonProperty("ports") @Nullable List<String> ports,
            @JsonProperty("secret") @Nullable String secret) {

        @Override
        public String toString() {
            return "Data[path=" + path + ", device_path=" + devicePath + ", target_portal=" + targetPortal
                    + ", target_iqn=" + targetIqn + ", target_lun=" + targetLun + ", name=" + name
                    + ", auth_username=" + authUsername + ", credentials=" + (authPassword != null || secret != null
                    ? "****" : "none") + "]";
        }
    }

    /**
     * The validated connection.
     *
     * @throws IllegalArgumentException an unknown type, a field its type needs missing, or a value the
     *                                  driver API refuses; the message names the field, never a credential
     */
    public VolumeConnection toConnection() {
        return switch (driverVolumeType) {
            case "file" -> new VolumeConnection.FileVolume(Path.of(required(data.path(), "path")),
                    format(data.format()), Boolean.TRUE.equals(data.shared()));
            case "block" -> new VolumeConnection.BlockVolume(Path.of(required(data.devicePath(), "device_path")),
                    Boolean.TRUE.equals(data.shared()));
            case "iscsi" -> new VolumeConnection.IscsiVolume(portal(required(data.targetPortal(), "target_portal")),
                    required(data.targetIqn(), "target_iqn"), data.targetLun() == null ? 0 : data.targetLun(),
                    chap());
            case "rbd" -> rbd();
            default -> throw new IllegalArgumentException("driver_volume_type must be file, block, iscsi or rbd");
        };
    }

    private Optional<VolumeCredentials> chap() {
        if (data.authMethod() == null || data.authMethod().isEmpty()) {
            return Optional.empty();
        }
        if (!"CHAP".equalsIgnoreCase(data.authMethod())) {
            throw new IllegalArgumentException("data.auth_method must be CHAP");
        }
        return Optional.of(new VolumeCredentials(required(data.authUsername(), "auth_username"),
                SecretValue.of(required(data.authPassword(), "auth_password"))));
    }

    private VolumeConnection rbd() {
        String name = required(data.name(), "name");
        int slash = name.indexOf('/');
        if (slash < 1) {
            throw new IllegalArgumentException("data.name must be pool/image");
        }
        List<String> hosts = data.hosts() == null ? List.of() : data.hosts();
        List<String> ports = data.ports() == null ? List.of() : data.ports();
        if (hosts.size() != ports.size()) {
            throw new IllegalArgumentException("data.hosts and data.ports must have the same length");
        }
        List<VolumeConnection.NetworkHost> monitors = new ArrayList<>();
        for (int i = 0; i < hosts.size(); i++) {
            monitors.add(new VolumeConnection.NetworkHost(hosts.get(i), port(ports.get(i), "ports")));
        }
        Optional<VolumeCredentials> auth = data.authUsername() == null ? Optional.empty()
                : Optional.of(new VolumeCredentials(data.authUsername(), SecretValue.of(required(data.secret(),
                "secret"))));
        return new VolumeConnection.RbdVolume(name.substring(0, slash), name.substring(slash + 1), monitors, auth);
    }

    private static VolumeConnection.NetworkHost portal(String portal) {
        int colon = portal.lastIndexOf(':');
        if (colon < 1) {
            return new VolumeConnection.NetworkHost(portal, 3260);
        }
        return new VolumeConnection.NetworkHost(portal.substring(0, colon),
                port(portal.substring(colon + 1), "target_portal"));
    }

    private static int port(String text, String field) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("data." + field + " has an invalid port");
        }
    }

    private static DiskSpec.Format format(@Nullable String format) {
        if (format == null || format.equals("raw")) {
            return DiskSpec.Format.RAW;
        }
        if (format.equals("qcow2")) {
            return DiskSpec.Format.QCOW2;
        }
        throw new IllegalArgumentException("data.format must be raw or qcow2");
    }

    private static String required(@Nullable String value, String field) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("data." + field + " is required");
        }
        return value;
    }
}
