package dev.computeagent.virt.libvirt.domain;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.w3c.dom.Element;

/**
 * The user and group libvirt's DAC security driver runs guests of a domain type as: the
 * {@code <secmodel><model>dac</model><baselabel type='kvm'>+64055:+64055</baselabel>} of the host's
 * capabilities (the {@code user} and {@code group} of {@code qemu.conf}).
 */
public record DacBaseLabel(int uid, int gid) {

    private static final Pattern LABEL = Pattern.compile("\\+?(\\d+):\\+?(\\d+)");

    /**
     * The label for guests of {@code domainType} ({@code kvm}, {@code qemu}); empty when the capabilities
     * have no DAC model or no numeric label for that type.
     *
     * @throws DomainXmlException {@code capabilitiesXml} is not XML
     */
    public static Optional<DacBaseLabel> fromCapabilities(String capabilitiesXml, String domainType) {
        Element root = XmlSupport.parse(capabilitiesXml).getDocumentElement();
        Optional<Element> host = XmlSupport.child(root, "host");
        if (host.isEmpty()) {
            return Optional.empty();
        }
        for (Element model : XmlSupport.children(host.get(), "secmodel")) {
            boolean dac = XmlSupport.child(model, "model").map(m -> m.getTextContent().strip()).filter("dac"::equals)
                    .isPresent();
            if (!dac) {
                continue;
            }
            for (Element label : XmlSupport.children(model, "baselabel")) {
                Matcher m = LABEL.matcher(label.getTextContent().strip());
                if (domainType.equals(label.getAttribute("type")) && m.matches()) {
                    return Optional.of(new DacBaseLabel(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))));
                }
            }
        }
        return Optional.empty();
    }
}
