package dev.computeagent.virt.device;

import dev.computeagent.virt.DiskSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where a volume's bytes are and how to reach them, as Nova's {@code connection_info}: a file this
 * host can reach, a host block device, an iSCSI LUN opened by QEMU's own initiator, or a Ceph RBD
 * image. Every variant validates itself: a value that exists is well formed (whether it is reachable
 * is only known when the hypervisor opens it).
 */
public sealed interface VolumeConnection {

    /** Whether a migration must leave the volume where it is (it is reachable from any host). */
    boolean shared();

    /** The credentials the target asks for, if any. */
    default Optional<VolumeCredentials> credentials() {
        return Optional.empty();
    }

    /** A file on storage this host reaches (local, NFS...); shared when {@code shared} says so. */
    record FileVolume(Path path, DiskSpec.Format format, boolean shared) implements VolumeConnection {
        public FileVolume {
            Objects.requireNonNull(path, "path");
            if (!path.isAbsolute()) {
                throw new IllegalArgumentException("volume path must be absolute");
            }
            Objects.requireNonNull(format, "format");
        }
    }

    /** A host block device, raw. */
    record BlockVolume(Path device, boolean shared) implements VolumeConnection {
        public BlockVolume {
            Objects.requireNonNull(device, "device");
            if (!device.isAbsolute()) {
                throw new IllegalArgumentException("block device path must be absolute");
            }
        }
    }

    /** An iSCSI LUN, raw, opened by QEMU's own initiator; always shared. */
    record IscsiVolume(NetworkHost portal, String iqn, int lun, Optional<VolumeCredentials> chap)
            implements VolumeConnection {

        private static final Pattern IQN = Pattern.compile("(iqn\\.|eui\\.|naa\\.)[A-Za-z0-9.:_-]{1,220}");

        public IscsiVolume {
            Objects.requireNonNull(portal, "portal");
            Objects.requireNonNull(iqn, "iqn");
            if (!IQN.matcher(iqn).matches()) {
                throw new IllegalArgumentException("invalid iSCSI target name");
            }
            if (lun < 0 || lun > 16383) {
                throw new IllegalArgumentException("iSCSI LUN must be 0-16383");
            }
            Objects.requireNonNull(chap, "chap");
        }

        @Override
        public boolean shared() {
            return true;
        }

        @Override
        public Optional<VolumeCredentials> credentials() {
            return chap;
        }
    }

    /** A Ceph RBD image, raw; always shared. */
    record RbdVolume(String pool, String image, List<NetworkHost> monitors, Optional<VolumeCredentials> auth)
            implements VolumeConnection {

        private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,128}");

        public RbdVolume {
            Objects.requireNonNull(pool, "pool");
            Objects.requireNonNull(image, "image");
            if (!NAME.matcher(pool).matches() || !NAME.matcher(image).matches()) {
                throw new IllegalArgumentException("invalid RBD pool or image name");
            }
            monitors = List.copyOf(monitors);
            if (monitors.isEmpty() || monitors.size() > 16) {
                throw new IllegalArgumentException("an RBD volume needs 1-16 monitors");
            }
            Objects.requireNonNull(auth, "auth");
        }

        @Override
        public boolean shared() {
            return true;
        }

        @Override
        public Optional<VolumeCredentials> credentials() {
            return auth;
        }
    }

    /** A host name or IP address and a TCP port. */
    record NetworkHost(String name, int port) {

        private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.:-]{1,253}");

        public NetworkHost {
            Objects.requireNonNull(name, "name");
            if (!HOST.matcher(name).matches()) {
                throw new IllegalArgumentException("invalid host name");
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be 1-65535");
            }
        }
    }
}
