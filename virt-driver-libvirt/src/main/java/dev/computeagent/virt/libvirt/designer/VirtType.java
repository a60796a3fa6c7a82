package dev.computeagent.virt.libvirt.designer;

import dev.computeagent.virt.libvirt.domain.DomainType;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/** How guests run on this host: hardware-accelerated (KVM) or emulated by QEMU's TCG. */
public enum VirtType {
    KVM("kvm", DomainType.KVM),
    QEMU("qemu", DomainType.QEMU);

    /** The device whose usability decides {@link #detect()}. */
    public static final Path DEV_KVM = Path.of("/dev/kvm");

    private final String xmlName;
    private final DomainType domainType;

    VirtType(String xmlName, DomainType domainType) {
        this.xmlName = xmlName;
        this.domainType = domainType;
    }

    /** The domain {@code type} attribute: {@code kvm} or {@code qemu}. */
    public String xmlName() {
        return xmlName;
    }

    public DomainType domainType() {
        return domainType;
    }

    /**
     * {@link #KVM} when {@code /dev/kvm} is a device that opens read-write and the CPU virtualises in
     * hardware, else {@link #QEMU}. Without VT-x or AMD-V in {@code /proc/cpuinfo}, a {@code /dev/kvm}
     * is a software KVM (such as PVM, in cloud VMs without nested virtualisation) that runs an unmodified
     * guest kernel by emulating its instructions, far slower than TCG: see docs/virtualisation.md.
     */
    public static VirtType detect() {
        return detect(DEV_KVM, CpuFlags.CPUINFO);
    }

    /**
     * {@link #KVM} when {@code kvmDevice} is a device node (not a regular file or directory) that
     * opens read-write and {@code cpuinfo} shows VT-x or AMD-V (or no x86 flags at all), else
     * {@link #QEMU}. A stray regular file at {@code /dev/kvm} (left by a careless {@code open(O_CREAT)})
     * must not make libvirt reject every guest with "does not support virt type 'kvm'".
     */
    public static VirtType detect(Path kvmDevice, Path cpuinfo) {
        return kvmDeviceUsable(kvmDevice) && CpuFlags.virtualisesInHardware(cpuinfo) ? KVM : QEMU;
    }

    private static boolean kvmDeviceUsable(Path kvmDevice) {
        try {
            if (!Files.readAttributes(kvmDevice, BasicFileAttributes.class).isOther()) {
                return false;
            }
            try (FileChannel ignored = FileChannel.open(kvmDevice, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                return true;
            }
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    /**
     * The configured type: {@code auto} (= {@link #detect()}), {@code kvm} or {@code qemu}, case-insensitive.
     *
     * @throws IllegalArgumentException any other value
     */
    public static VirtType fromConfig(@Nullable String value) {
        return fromConfig(value, VirtType::detect);
    }

    /**
     * The configured type, {@code auto} resolved by {@code auto}.
     *
     * @throws IllegalArgumentException a value other than {@code auto}, {@code kvm} or {@code qemu}
     */
    public static VirtType fromConfig(@Nullable String value, Supplier<VirtType> auto) {
        String normalized = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
        return switch (normalized) {
            case "auto" -> auto.get();
            case "kvm" -> KVM;
            case "qemu" -> QEMU;
            default -> throw new IllegalArgumentException(
                    "agent.libvirt.virt-type must be auto, kvm or qemu: '" + value + "'");
        };
    }
}
