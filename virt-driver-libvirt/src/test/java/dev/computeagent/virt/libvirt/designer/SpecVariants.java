package dev.computeagent.virt.libvirt.designer;

import dev.computeagent.virt.DiskSpec;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.InstanceMetadata;
import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.NicSpec;
import dev.computeagent.virt.libvirt.domain.CpuMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Instance specs and designer options covering every concern's variants, shared by the tests. */
public final class SpecVariants {

    public static final UUID UUID_1 = UUID.fromString("8a3c7e9e-4b1f-4c55-9d2a-1f0e6c1d2b3a");
    public static final Path INSTANCE_DIR = Path.of("/var/lib/compute-agent/instances/" + UUID_1);

    /** Text that would break a string-built document, plus characters XML 1.0 cannot carry. */
    public static final List<String> HOSTILE_TEXTS = List.of(
            "</name><devices><disk type='file'/></devices><name>",
            "]]>", "<![CDATA[x]]>", "&amp; &lt; &#0; &#x1F;", "'\"'\"", "<!-- c -->", "<?pi x?>",
            "<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>&e;",
            "\u0000\u0001\u0008\u000b\u000c\u001f", "line\r\nbreak\rcr", "\ttab\t", "\uFFFE\uFFFF",
            "emoji \uD83D\uDE00 and \u2028\u0085", "multi\nline\n text ", "  leading and trailing  ", "   ", "\n", "");

    /** A designer variant: the options, the spec, and a name for test reports. */
    public record Variant(String name, DesignerOptions options, InstanceSpec spec) {
        @Override
        public String toString() {
            return name;
        }
    }

    private SpecVariants() {
    }

    /** Options with a fixed O_DIRECT answer and CPU policy, so results do not depend on the test machine. */
    public static DesignerOptions options(VirtType virtType, boolean directIo) {
        CpuPolicy cpu = virtType == VirtType.KVM
                ? new CpuPolicy(Optional.of(CpuMode.HOST_MODEL), List.of(CpuPolicy.ARCH_CAPABILITIES))
                : CpuPolicy.hypervisorDefault();
        return DesignerOptions.defaults(virtType).withDirectIoProbe(directory -> directIo).withCpuPolicy(cpu);
    }

    public static InstanceMetadata metadata(String name) {
        return new InstanceMetadata(name, new Flavor(2, 512, 1, 0), "cirros-0.6", "node-7",
                Map.of("role", "web"), Map.of("spawn_request_id", "req-6f0d2c1e", "state", "ACTIVE"));
    }

    /** Metadata whose every string (name, keys, values, annotations) is hostile. */
    public static InstanceMetadata hostileMetadata() {
        Map<String, String> entries = new LinkedHashMap<>();
        for (int i = 0; i < HOSTILE_TEXTS.size(); i++) {
            entries.put(HOSTILE_TEXTS.get(i), HOSTILE_TEXTS.get(HOSTILE_TEXTS.size() - 1 - i));
        }
        return new InstanceMetadata(HOSTILE_TEXTS.get(0), new Flavor(1, 64, 0, 5), "img._-1",
                "host<&>'\"", entries, entries);
    }

    public static InstanceSpec spec(InstanceMetadata metadata, List<DiskSpec> disks, List<NicSpec> nics, boolean vnc) {
        return new InstanceSpec(UUID_1, metadata, disks, nics, INSTANCE_DIR.resolve("console.log"), vnc);
    }

    public static InstanceSpec simpleSpec() {
        return spec(metadata("web 1"), List.of(DiskSpec.qcow2Root(INSTANCE_DIR.resolve("disk"))), List.of(), false);
    }

    public static DiskSpec disk(DiskSpec.Format format, DiskSpec.CacheMode cache, String device) {
        return new DiskSpec(INSTANCE_DIR.resolve(device), format, DiskSpec.Bus.VIRTIO, cache, device);
    }

    /** Every virt type, disk format, cache mode (with and without O_DIRECT), NIC type, VNC on/off. */
    public static List<Variant> all() {
        List<Variant> variants = new ArrayList<>();
        for (VirtType virtType : VirtType.values()) {
            for (DiskSpec.Format format : DiskSpec.Format.values()) {
                for (DiskSpec.CacheMode cache : DiskSpec.CacheMode.values()) {
                    for (boolean directIo : new boolean[] {true, false}) {
                        variants.add(new Variant(virtType + "/" + format + "/" + cache + "/directIo=" + directIo,
                                options(virtType, directIo),
                                spec(metadata("vm"), List.of(disk(format, cache, "vda")), List.of(), false)));
                    }
                }
            }
        }
        List<NicSpec> nics = List.of(
                NicSpec.network("default"),
                NicSpec.bridge("br0"),
                NicSpec.user(),
                new NicSpec(NicSpec.Type.NETWORK, Optional.of("prov-net_1"), Optional.of("52:54:00:AB:cd:01"), "e1000"));
        for (boolean vnc : new boolean[] {true, false}) {
            variants.add(new Variant("nics+disks/vnc=" + vnc, options(VirtType.KVM, true),
                    spec(metadata("multi"), List.of(disk(DiskSpec.Format.QCOW2, DiskSpec.CacheMode.NONE, "vda"),
                            disk(DiskSpec.Format.RAW, DiskSpec.CacheMode.WRITEBACK, "vdb"),
                            new DiskSpec(INSTANCE_DIR.resolve("sda"), DiskSpec.Format.RAW, DiskSpec.Bus.SATA,
                                    DiskSpec.CacheMode.UNSAFE, "sda")), nics, vnc)));
        }
        for (VirtType virtType : VirtType.values()) {
            variants.add(new Variant(virtType + "/root+ephemeral+config-drive", options(virtType, true),
                    spec(metadata("drives"), List.of(DiskSpec.qcow2Root(INSTANCE_DIR.resolve("disk")),
                            DiskSpec.qcow2Ephemeral(INSTANCE_DIR.resolve("disk.eph0")),
                            DiskSpec.configDrive(INSTANCE_DIR.resolve("disk.config"))), List.of(), false)));
        }
        for (NicSpec nic : nics) {
            variants.add(new Variant("nic=" + nic.type() + "/" + nic.model(), options(VirtType.QEMU, false),
                    spec(metadata("nic"), List.of(disk(DiskSpec.Format.QCOW2, DiskSpec.CacheMode.NONE, "vda")),
                            List.of(nic), true)));
        }
        InstanceSpec plain = simpleSpec();
        variants.add(new Variant("guest-agent", options(VirtType.QEMU, true), new InstanceSpec(plain.uuid(),
                plain.metadata(), plain.disks(), List.of(NicSpec.user()), plain.consoleLog(), false, true)));
        variants.add(new Variant("hostile-metadata", options(VirtType.KVM, true),
                spec(hostileMetadata(), List.of(disk(DiskSpec.Format.QCOW2, DiskSpec.CacheMode.NONE, "vda")),
                        List.of(NicSpec.user()), true)));
        // q35 with spare PCIe root ports for hot plug (issue 15), the default count and none
        for (int ports : new int[] {DesignerOptions.DEFAULT_PCIE_ROOT_PORTS, 0}) {
            variants.add(new Variant("q35/pcie-root-ports=" + ports, options(VirtType.QEMU, true).withMachineType("q35")
                    .withPcieRootPorts(ports), spec(metadata("q35"), List.of(disk(DiskSpec.Format.QCOW2,
                    DiskSpec.CacheMode.NONE, "vda")), List.of(NicSpec.user()), false)));
        }
        return variants;
    }
}
