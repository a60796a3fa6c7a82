package dev.computeagent.image.inspect;

import java.util.Locale;
import java.util.Optional;

/** Disk image formats the inspector recognises; only {@link #RAW} and {@link #QCOW2} are ever accepted. */
public enum ImageFormat {
    RAW("raw", true),
    QCOW2("qcow2", true),
    QED("qed", false),
    VMDK("vmdk", false),
    VHD("vpc", false),
    VHDX("vhdx", false),
    VDI("vdi", false),
    ISO("iso", false),
    LUKS("luks", false);

    private final String qemuName;
    private final boolean accepted;

    ImageFormat(String qemuName, boolean accepted) {
        this.qemuName = qemuName;
        this.accepted = accepted;
    }

    /** The name {@code qemu-img} and Glance's {@code disk_format} use for it. */
    public String qemuName() {
        return qemuName;
    }

    /** Whether the cache accepts images of this format at all. */
    public boolean accepted() {
        return accepted;
    }

    /** The accepted format with this Glance {@code disk_format} name, if any. */
    public static Optional<ImageFormat> acceptedByName(String diskFormat) {
        String name = diskFormat.toLowerCase(Locale.ROOT);
        for (ImageFormat f : values()) {
            if (f.accepted && f.qemuName.equals(name)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }
}
