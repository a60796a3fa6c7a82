package dev.computeagent.virt.libvirt.migration;

import dev.computeagent.virt.migration.MigrationException;
import dev.computeagent.virt.migration.MigrationException.Reason;
import dev.computeagent.virt.migration.MigrationException.Step;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.jspecify.annotations.Nullable;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

/**
 * Rewrites the file paths of a libvirt domain XML for a destination that keeps the instance's files
 * under other directories: {@code <disk><source file>} with its {@code <backingStore>} chain, and the
 * {@code <log file>} / file-backed
 * {@code <source path>} of serial ports and consoles. Everything else of libvirt's migratable XML
 * is kept exactly (it must stay ABI-compatible), so this works on the DOM rather than on the
 * typed model, which only knows what the agent renders.
 */
final class DestinationPaths {

    private final Map<Path, Path> rewrites;

    DestinationPaths(Map<Path, Path> rewrites) {
        this.rewrites = Map.copyOf(rewrites);
    }

    boolean isEmpty() {
        return rewrites.isEmpty();
    }

    /** Returns {@code domainXml} with every path below a rewritten directory moved. */
    String rewrite(String domainXml) {
        Document document = parse(domainXml);
        Element devices = firstChild(document.getDocumentElement(), "devices");
        if (devices != null) {
            for (Element disk : children(devices, "disk")) {
                // the disk and its backing chain, which libvirt may spell out in <backingStore>
                for (Element layer = disk; layer != null; layer = firstChild(layer, "backingStore")) {
                    rewriteAttribute(firstChild(layer, "source"), "file");
                }
            }
            for (String kind : new String[] {"serial", "console"}) {
                for (Element device : children(devices, kind)) {
                    rewriteAttribute(firstChild(device, "log"), "file");
                    if ("file".equals(device.getAttribute("type"))) {
                        rewriteAttribute(firstChild(device, "source"), "path");
                    }
                }
            }
        }
        return render(document);
    }

    /** {@code path} moved to its destination directory, or unchanged when no rewrite covers it. */
    Path map(Path path) {
        Path normalized = path.normalize();
        Path best = null;
        for (Path from : rewrites.keySet()) {
            if (normalized.startsWith(from.normalize()) && (best == null || from.getNameCount() > best.getNameCount())) {
                best = from;
            }
        }
        return best == null ? path : rewrites.get(best).resolve(best.normalize().relativize(normalized));
    }

    private void rewriteAttribute(Element element, String attribute) {
        if (element != null && element.hasAttribute(attribute)) {
            element.setAttribute(attribute, map(Path.of(element.getAttribute(attribute))).toString());
        }
    }

    private static @Nullable Element firstChild(Element parent, String name) {
        for (Element child : children(parent, name)) {
            return child;
        }
        return null;
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> result = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i) instanceof Element element && name.equals(element.getTagName())) {
                result.add(element);
            }
        }
        return result;
    }

    private static Document parse(String xml) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setExpandEntityReferences(false);
            return factory.newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
        } catch (ParserConfigurationException | SAXException | IOException e) {
            throw new MigrationException(Step.PREPARE, Reason.FAILED, "cannot read the domain XML: " + e.getMessage(), e);
        }
    }

    private static String render(Document document) {
        try {
            TransformerFactory factory = TransformerFactory.newInstance();
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_STYLESHEET, "");
            var transformer = factory.newTransformer();
            transformer.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
            StringWriter out = new StringWriter();
            transformer.transform(new DOMSource(document), new StreamResult(out));
            return out.toString();
        } catch (TransformerException e) {
            throw new MigrationException(Step.PREPARE, Reason.FAILED, "cannot write the domain XML: " + e.getMessage(), e);
        }
    }
}
