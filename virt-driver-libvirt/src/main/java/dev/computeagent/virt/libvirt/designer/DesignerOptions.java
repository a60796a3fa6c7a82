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
 * @param pcieRootPorts the {@code pcie-root-port} controllers a q35 machine is defined with (0-64; ignored for
 *                      other machine types), as Nova's {@code num_pcie_ports}: the devices it is defined with
 *                      take some (root disk, balloon, RNG, USB, NICs...), the others take hot-plugged devices,
 *                      one each; 0 = libvirt's own (one per defined device, none free)
 */
public record DesignerOptions(VirtType virtType, String machineType, CpuPolicy cpuPolicy, Path rngSource,
                              DirectIoProbe directIoProbe, int pcieRootPorts) {

    /** Root ports of a q35 machine unless configured: about 10 left for hot-plugged volumes and NICs. */
    public static final int DEFAULT_PCIE_ROOT_PORTS = 16;

    /** Options with {@link #DEFAULT_PCIE_ROOT_PORTS}. */
    public DesignerOptions(VirtType virtType, String machineType, CpuPolicy cpuPolicy, Path rngSource,
                           DirectIoProbe directIoProbe) {
        this(virtType, machineType, cpuPolicy, rngSource, directIoProbe, DEFAULT_PCIE_ROOT_PORTS);
    }

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
        if (pcieRootPorts < 0 || pcieRootPorts > 64) {
            throw new IllegalArgumentException("pcie root ports must be 0-64: " + pcieRootPorts);
        }
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
        return new DesignerOptions(virtType, newMachineType, cpuPolicy, rngSource, directIoProbe, pcieRootPorts);
    }

    public DesignerOptions withDirectIoProbe(DirectIoProbe newProbe) {
        return new DesignerOptions(virtType, machineType, cpuPolicy, rngSource, newProbe, pcieRootPorts);
    }

    public DesignerOptions withCpuPolicy(CpuPolicy newPolicy) {
        return new DesignerOptions(virtType, machineType, newPolicy, rngSource, directIoProbe, pcieRootPorts);
    }

    public DesignerOptions withPcieRootPorts(int count) {
        return new DesignerOptions(virtType, machineType, cpuPolicy, rngSource, directIoProbe, count);
    }
}
