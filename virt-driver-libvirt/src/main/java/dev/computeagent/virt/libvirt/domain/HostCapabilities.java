package dev.computeagent.virt.libvirt.domain;

import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.w3c.dom.Element;

/**
 * What {@code virConnectGetCapabilities} says matters here: the host's CPU architecture and the
 * domain types libvirt can run full-virtualisation ({@code hvm}) guests of that architecture with.
 * libvirt lists {@code kvm} only when its QEMU can use {@code /dev/kvm}.
 *
 * @param hostArch    e.g. {@code x86_64}
 * @param domainTypes domain types for {@code hvm} guests of {@code hostArch}, e.g. {@code qemu, kvm}
 */
public record HostCapabilities(String hostArch, Set<String> domainTypes) {

    public HostCapabilities {
        Objects.requireNonNull(hostArch, "hostArch");
        domainTypes = Set.copyOf(domainTypes);
    }

    /**
     * Reads a capabilities document.
     *
     * @throws DomainXmlException it is not XML, or names no host architecture
     */
    public static HostCapabilities parse(String xml) {
        Element root = XmlSupport.parse(xml).getDocumentElement();
        String arch = XmlSupport.child(root, "host").flatMap(host -> XmlSupport.child(host, "cpu"))
                .flatMap(cpu -> XmlSupport.child(cpu, "arch")).map(a -> a.getTextContent().strip())
                .filter(a -> !a.isEmpty())
                .orElseThrow(() -> new DomainXmlException("capabilities name no host architecture"));
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
        return new HostCapabilities(arch, types);
    }

    public boolean supports(DomainType type) {
        return domainTypes.contains(type.xmlName());
    }
}
