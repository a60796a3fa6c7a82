package dev.computeagent.virt.migration;

import dev.computeagent.virt.device.VolumeConnection;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * An attached volume as the <em>destination</em> of a live migration reaches it (Nova: the destination's
 * {@code connection_info}, resolved before the move) and the identity of the hypervisor secret that holds its
 * credentials there. The destination defines that secret before the move
 * ({@link MigrationDriver#prepareIncomingVolumes}); the source's migration opens the volume on the destination
 * through {@code connection} and {@code secret} ({@link MigrationRequest#destinationVolumes}). A secret is private
 * to its host, so a volume with credentials cannot move without one.
 *
 * @param volumeId   the controller's id of the volume, 1-128 chars of {@code [A-Za-z0-9._-]}
 * @param device     the guest device it is attached on, {@code vdb}…{@code vdz}
 * @param connection where the destination reaches it (with the credentials, when the target asks for them)
 * @param secret     the identity of the destination's secret; unused for a volume without credentials
 */
public record DestinationVolume(String volumeId, String device, VolumeConnection connection, UUID secret) {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    private static final Pattern DEVICE = Pattern.compile("vd[b-z]");

    public DestinationVolume {
        Objects.requireNonNull(volumeId, "volumeId");
        if (!ID.matcher(volumeId).matches()) {
            throw new IllegalArgumentException("invalid volume id");
        }
        Objects.requireNonNull(device, "device");
        if (!DEVICE.matcher(device).matches()) {
            throw new IllegalArgumentException("volume device must be vdb-vdz");
        }
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(secret, "secret");
    }

    /**
     * The secret identity of {@code volumeId} of {@code instance} on the host {@code destinationHost}: stable (a
     * repeated prepare redefines the same secret instead of adding one) and different on every host, so the
     * destination's secret is never confused with the source's.
     */
    public static UUID secretOn(String destinationHost, UUID instance, String volumeId) {
        return UUID.nameUUIDFromBytes(("compute-agent:volume:" + instance + ":" + volumeId + "@" + destinationHost)
                .getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        // the connection's own toString would be safe too (SecretValue masks itself); say less anyway
        return "DestinationVolume[" + volumeId + " on " + device + ", " + connection.getClass().getSimpleName()
                + (connection.credentials().isPresent() ? ", secret " + secret : "") + "]";
    }
}
