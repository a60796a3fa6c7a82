package dev.computeagent.virt.libvirt.domain;

import static dev.computeagent.virt.libvirt.domain.XmlSupport.append;
import static dev.computeagent.virt.libvirt.domain.XmlSupport.appendText;
import static dev.computeagent.virt.libvirt.domain.XmlSupport.attr;

import java.util.Locale;
import java.util.Objects;
import java.util.UUID;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * A libvirt {@code <secret>} definition: persistent (it must outlive a libvirtd restart, as the domain
 * using it does) and private (libvirt never reveals its value through its API). The value is set
 * separately and is never part of this document.
 *
 * @param uuid        the secret's identity, referenced by {@link DiskAuth#secret()}
 * @param type        what it authenticates
 * @param usage       libvirt's unique usage name for it (the iSCSI target or Ceph name)
 * @param description free text for operators
 */
public record SecretDefinition(UUID uuid, SecretType type, String usage, String description) {

    public SecretDefinition {
        Objects.requireNonNull(uuid, "uuid");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(description, "description");
    }

    /** The secret as libvirt XML. */
    public String render() {
        Document document = XmlSupport.newDocument();
        Element root = document.createElement("secret");
        document.appendChild(root);
        attr(root, "ephemeral", "no");
        attr(root, "private", "yes");
        appendText(root, "uuid", uuid.toString().toLowerCase(Locale.ROOT));
        appendText(root, "description", XmlSupport.checkText("secret description", description));
        Element usageElement = append(root, "usage");
        attr(usageElement, "type", type.xmlName());
        appendText(usageElement, type == SecretType.ISCSI ? "target" : "name", usage);
        return XmlSupport.serialize(root);
    }
}
