package dev.computeagent.virt.libvirt.designer;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The host-wide choices the {@link DomainDesigner} applies to every instance.
 *
 * @param virtType      accelerated or emulated guests
 * @param machineType   the QEMU machine type, e.g. {@code pc}
 * @param cpuPolicy     the guest CPU to ask for
 * @param rngSource     the host entropy source of the guest RNG device
 * @param directIoProbe decides whether a disk's directory can take cache modes that need O_DIRECT
 */
public record DesignerOptions(VirtType virtType, String machineType, CpuPolicy cpuPolicy, Path rngSource,
                              DirectIoProbe directIoProbe) {

    /** VNC consoles listen on the loopback address only; reaching them is an operator's tunnel. */
    public static final String VNC_LISTEN_ADDRESS = "127.0.0.1";

    public DesignerOptions {
        Objects.requireNonNull(virtType, "virtType");
        Objects.requireNonNull(machineType, "machineType");
        if (!machineType.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("invalid machine type: " + machineType);
        }
        Objects.requireNonNull(cpuPolicy, "cpuPolicy");
        Objects.requireNonNull(rngSource, "rngSource");
        Objects.requireNonNull(directIoProbe, "directIoProbe");
    }

    /**
     * Machine {@code pc}, {@link CpuPolicy#forHost the CPU policy for this host}, {@code /dev/urandom},
     * the real file-system O_DIRECT probe.
     */
    public static DesignerOptions defaults(VirtType virtType) {
        return new DesignerOptions(virtType, "pc", CpuPolicy.forHost(virtType), Path.of("/dev/urandom"),
                DirectIoProbe.onFileSystem());
    }

    public String vncListenAddress() {
        return VNC_LISTEN_ADDRESS;
    }

    public DesignerOptions withMachineType(String newMachineType) {
        return new DesignerOptions(virtType, newMachineType, cpuPolicy, rngSource, directIoProbe);
    }

    public DesignerOptions withDirectIoProbe(DirectIoProbe newProbe) {
        return new DesignerOptions(virtType, machineType, cpuPolicy, rngSource, newProbe);
    }

    public DesignerOptions withCpuPolicy(CpuPolicy newPolicy) {
        return new DesignerOptions(virtType, machineType, newPolicy, rngSource, directIoProbe);
    }
}
