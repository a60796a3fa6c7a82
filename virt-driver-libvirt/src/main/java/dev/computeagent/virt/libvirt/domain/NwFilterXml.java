package dev.computeagent.virt.libvirt.domain;

import static dev.computeagent.virt.libvirt.domain.XmlSupport.append;
import static dev.computeagent.virt.libvirt.domain.XmlSupport.appendText;
import static dev.computeagent.virt.libvirt.domain.XmlSupport.attr;

import java.util.Locale;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/** Renders a {@link NwFilter} as libvirt nwfilter XML (deterministic: same model, same text). */
public final class NwFilterXml {

    private NwFilterXml() {
    }

    /** @throws DomainXmlException a string of the model cannot be carried by XML 1.0 */
    public static String render(NwFilter filter) {
        Document document = XmlSupport.newDocument();
        Element root = document.createElement("filter");
        document.appendChild(root);
        attr(root, "name", filter.name());
        attr(root, "chain", "root");
        appendText(root, "uuid", filter.uuid().toString().toLowerCase(Locale.ROOT));
        for (String ref : filter.filterRefs()) {
            attr(append(root, "filterref"), "filter", ref);
        }
        for (NwFilter.Rule rule : filter.rules()) {
            Element element = append(root, "rule");
            attr(element, "action", rule.action().xmlName());
            attr(element, "direction", rule.direction().xmlName());
            attr(element, "priority", Integer.toString(rule.priority()));
            Element match = append(element, rule.protocol().xmlName());
            rule.source().ifPresent(a -> {
                attr(match, "srcipaddr", a.address());
                attr(match, "srcipmask", Integer.toString(a.prefix()));
            });
            rule.destination().ifPresent(a -> {
                attr(match, "dstipaddr", a.address());
                attr(match, "dstipmask", Integer.toString(a.prefix()));
            });
            rule.sourcePorts().ifPresent(p -> {
                attr(match, "srcportstart", Integer.toString(p.start()));
                attr(match, "srcportend", Integer.toString(p.end()));
            });
            rule.destinationPorts().ifPresent(p -> {
                attr(match, "dstportstart", Integer.toString(p.start()));
                attr(match, "dstportend", Integer.toString(p.end()));
            });
        }
        return XmlSupport.serialize(root);
    }
}
