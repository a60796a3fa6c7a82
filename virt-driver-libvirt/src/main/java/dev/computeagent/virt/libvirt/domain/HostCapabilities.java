package dev.computeagent.virt.libvirt.domain;

import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.w3c.dom.Element;

/**
 * What {@code virConnectGetCapabilities} says matters here: the host's CPU architecture and features,
 * and the domain types libvirt can run full-virtualisation ({@code hvm}) guests of that architecture
 * with. libvirt lists {@code kvm} whenever its QEMU can use {@code /dev/kvm}, even when that is a
 * software KVM on a CPU without VT-x or AMD-V (see {@link #virtualisesInHardware()}).
 *
 * @param hostArch        e.g. {@code x86_64}
 * @param hostCpuFeatures the host CPU's features as libvirt names them, e.g. {@code vmx, avx2}
 * @param domainTypes     domain types for {@code hvm} guests of {@code hostArch}, e.g. {@code qemu, kvm}
 */
public record HostCapabilities(String hostArch, Set<String> hostCpuFeatures, Set<String> domainTypes) {

    private static final Set<String> X86 = Set.of("x86_64", "i686");

    public HostCapabilities {
        Objects.requireNonNull(hostArch, "hostArch");
        hostCpuFeatures = Set.copyOf(hostCpuFeatures);
        domainTypes = Set.copyOf(domainTypes);
    }

    /**
     * Reads a capabilities document.
     *
     * @throws DomainXmlException it is not XML, or names no host architecture
     */
    public static HostCapabilities parse(String xml) {
        Element root = XmlSupport.parse(xml).getDocumentElement();
        Optional<Element> hostCpu = XmlSupport.child(root, "host").flatMap(host -> XmlSupport.child(host, "cpu"));
        String arch = hostCpu.flatMap(cpu -> XmlSupport.child(cpu, "arch")).map(a -> a.getTextContent().strip())
                .filter(a -> !a.isEmpty())
                .orElseThrow(() -> new DomainXmlException("capabilities name no host architecture"));
        Set<String> features = new LinkedHashSet<>();
        hostCpu.ifPresent(cpu -> XmlSupport.children(cpu, "feature")
                .forEach(feature -> features.add(feature.getAttribute("name"))));
        Set<String> types = new LinkedHashSet<>();
        for (Element guest : XmlSupport.children(root, "guest")) {
            boolean hvm = XmlSupport.child(guest, "os_type").map(o -> o.getTextContent().strip())
                    .filter("hvm"::equals).isPresent();
            Optional<Element> guestArch = XmlSupport.child(guest, "arch")
                    .filter(a -> arch.equals(a.getAttribute("name")));
            if (hvm && guestArch.isPresent()) {
                XmlSupport.children(guestArch.get(), "domain")
                        .forEach(domain -> types.add(domain.getAttribute("type")));
            }
        }
        return new HostCapabilities(arch, features, types);
    }

    public boolean supports(DomainType type) {
        return domainTypes.contains(type.xmlName());
    }

    /**
     * Whether the host CPU virtualises in hardware: on x86, whether it has {@code vmx} (Intel VT-x) or
     * {@code svm} (AMD-V), as {@code virt-host-validate} checks; true on other architectures, whose
     * features libvirt does not name so. Without it, {@code kvm} guests run on a software KVM.
     */
    public boolean virtualisesInHardware() {
        return !X86.contains(hostArch) || hostCpuFeatures.contains("vmx") || hostCpuFeatures.contains("svm");
    }
}
