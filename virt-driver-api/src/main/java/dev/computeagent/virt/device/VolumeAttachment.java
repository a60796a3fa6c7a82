package dev.computeagent.virt.device;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A volume as one instance sees it.
 *
 * @param volumeId   the volume's identity (the controller's), 1-128 chars of {@code [A-Za-z0-9._-]}
 * @param device     the guest device, {@code vdb}…{@code vdz} (virtio)
 * @param connection where the bytes are
 * @param readOnly   whether the guest may only read it
 */
public record VolumeAttachment(String volumeId, String device, VolumeConnection connection, boolean readOnly) {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    private static final Pattern DEVICE = Pattern.compile("vd[b-z]");

    public VolumeAttachment {
        Objects.requireNonNull(volumeId, "volumeId");
        if (!ID.matcher(volumeId).matches()) {
            throw new IllegalArgumentException("invalid volume id");
        }
        Objects.requireNonNull(device, "device");
        if (!DEVICE.matcher(device).matches()) {
            throw new IllegalArgumentException("volume device must be vdb-vdz");
        }
        Objects.requireNonNull(connection, "connection");
    }
}
