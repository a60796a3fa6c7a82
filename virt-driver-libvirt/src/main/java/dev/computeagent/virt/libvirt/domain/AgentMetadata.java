package dev.computeagent.virt.libvirt.domain;

import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.InstanceMetadata;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import javax.xml.XMLConstants;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The agent's own child of a domain's {@code <metadata>}, in namespace {@value #NAMESPACE}:
 *
 * <pre>{@code
 * <agent:instance xmlns:agent="urn:compute-agent:instance:1">
 *   <agent:name>web 1</agent:name>
 *   <agent:flavor vcpus="1" memory_mb="512" root_gb="1" ephemeral_gb="0"/>
 *   <agent:image-id>cirros</agent:image-id>
 *   <agent:owner-host>node-7</agent:owner-host>
 *   <agent:user-metadata><agent:entry><agent:key>k</agent:key><agent:value>v</agent:value></agent:entry></agent:user-metadata>
 *   <agent:annotations>...same entries...</agent:annotations>
 * </agent:instance>
 * }</pre>
 *
 * <p>Every string is element text, never markup. A string that would not survive an XML round trip
 * through the JDK and libvirt's libxml2 exactly (characters XML 1.0 cannot carry, a carriage
 * return, which parsers normalise, or whitespace only, which libvirt may drop) is stored as
 * base64 of its UTF-8 bytes with {@code encoding="base64"}; so any valid Unicode text comes back
 * exactly. Text with an unpaired surrogate is not valid Unicode and is refused.
 * The element is found by namespace, whatever prefix libvirt gives it.
 */
public final class AgentMetadata {

    public static final String NAMESPACE = "urn:compute-agent:instance:1";
    public static final String PREFIX = "agent";
    public static final String ELEMENT = "instance";

    private static final String ENCODING = "encoding";
    private static final String BASE64 = "base64";

    private AgentMetadata() {
    }

    /**
     * The element alone, as {@code virDomainSetMetadata(type=ELEMENT, key=PREFIX, uri=NAMESPACE)}
     * takes it: <em>without</em> a namespace. libvirt puts the element and all its descendants
     * into {@code uri} with prefix {@code key} itself and refuses ("failed to create a new XML
     * namespace") an element that already declares that prefix; a domain's XML then shows the
     * same {@code agent:}-prefixed element that {@link DomainXml#render} writes.
     *
     * @throws DomainXmlException a string is not valid Unicode (an unpaired surrogate)
     */
    public static String renderElement(InstanceMetadata metadata) {
        Document document = XmlSupport.newDocument();
        document.appendChild(toElement(document, metadata, null));
        return XmlSupport.serialize(document.getDocumentElement());
    }

    /**
     * The agent metadata of a full domain XML document.
     *
     * @return empty when the domain carries no agent element (it is not the agent's)
     * @throws DomainXmlException the XML is malformed, or the agent element is present but corrupt
     */
    public static Optional<InstanceMetadata> fromDomainXml(String domainXml) {
        Element root = XmlSupport.parse(domainXml).getDocumentElement();
        return find(root).map(AgentMetadata::fromElement);
    }

    /**
     * Parses the element alone, as {@code virDomainGetMetadata(type=ELEMENT, uri=NAMESPACE)} returns
     * it (libvirt strips the namespace there) or as {@link #renderElement} writes it; an element in
     * the agent namespace is accepted too.
     *
     * @throws DomainXmlException malformed, not the agent element, or corrupt
     */
    public static InstanceMetadata parseElement(String elementXml) {
        Element root = XmlSupport.parse(elementXml).getDocumentElement();
        if (!ours(root) || !ELEMENT.equals(root.getLocalName())) {
            throw new DomainXmlException("not an agent metadata element: <" + root.getTagName() + ">");
        }
        return fromElement(root);
    }

    /**
     * Fails unless every string of {@code metadata} can be stored (valid Unicode text).
     *
     * @throws DomainXmlException naming the offending field
     */
    public static void checkStorable(InstanceMetadata metadata) {
        checkUnicode("name", metadata.name());
        checkUnicode("image id", metadata.imageId());
        checkUnicode("owner host", metadata.ownerHost());
        metadata.userMetadata().forEach((k, v) -> {
            checkUnicode("user metadata key", k);
            checkUnicode("user metadata value of '" + k + "'", v);
        });
        metadata.annotations().forEach((k, v) -> {
            checkUnicode("annotation key", k);
            checkUnicode("annotation value of '" + k + "'", v);
        });
    }

    /** The agent element among the children of {@code <domain>}'s {@code <metadata>}, if any. */
    static Optional<Element> find(Element domain) {
        for (Element metadata : XmlSupport.children(domain, "metadata")) {
            List<Element> ours = XmlSupport.childrenNs(metadata, NAMESPACE, ELEMENT);
            if (!ours.isEmpty()) {
                return Optional.of(ours.get(0));
            }
        }
        return Optional.empty();
    }

    /**
     * The element, in the agent namespace with {@link #PREFIX} when {@code namespace} is
     * {@link #NAMESPACE}, in no namespace when it is null.
     */
    static Element toElement(Document document, InstanceMetadata metadata, String namespace) {
        checkStorable(metadata);
        Element root = element(document, namespace, ELEMENT);
        if (namespace != null) {
            root.setAttributeNS(XMLConstants.XMLNS_ATTRIBUTE_NS_URI, "xmlns:" + PREFIX, namespace);
        }
        appendString(root, "name", metadata.name());
        Element flavor = appendElement(root, "flavor");
        Flavor f = metadata.flavor();
        flavor.setAttribute("vcpus", Integer.toString(f.vcpus()));
        flavor.setAttribute("memory_mb", Long.toString(f.memoryMb()));
        flavor.setAttribute("root_gb", Long.toString(f.rootGb()));
        flavor.setAttribute("ephemeral_gb", Long.toString(f.ephemeralGb()));
        appendString(root, "image-id", metadata.imageId());
        appendString(root, "owner-host", metadata.ownerHost());
        appendMap(root, "user-metadata", metadata.userMetadata());
        appendMap(root, "annotations", metadata.annotations());
        return root;
    }

    static InstanceMetadata fromElement(Element root) {
        try {
            Element flavorElement = one(root, "flavor");
            Flavor flavor = new Flavor(
                    XmlSupport.parseInt("flavor vcpus", XmlSupport.requiredAttr(flavorElement, "vcpus")),
                    XmlSupport.parseLong("flavor memory_mb", XmlSupport.requiredAttr(flavorElement, "memory_mb")),
                    XmlSupport.parseLong("flavor root_gb", XmlSupport.requiredAttr(flavorElement, "root_gb")),
                    XmlSupport.parseLong("flavor ephemeral_gb", XmlSupport.requiredAttr(flavorElement, "ephemeral_gb")));
            return new InstanceMetadata(readString(one(root, "name")), flavor,
                    readString(one(root, "image-id")), readString(one(root, "owner-host")),
                    readMap(one(root, "user-metadata")), readMap(one(root, "annotations")));
        } catch (IllegalArgumentException e) {
            throw new DomainXmlException("corrupt agent metadata: " + e.getMessage(), e);
        }
    }

    private static Element element(Document document, String namespace, String name) {
        return namespace == null ? document.createElementNS(null, name)
                : document.createElementNS(namespace, PREFIX + ":" + name);
    }

    private static Element appendElement(Element parent, String name) {
        Element child = element(parent.getOwnerDocument(), parent.getNamespaceURI(), name);
        parent.appendChild(child);
        return child;
    }

    /** Agent elements are in the agent namespace, or in none where libvirt stripped it. */
    private static boolean ours(Element element) {
        return element.getNamespaceURI() == null || NAMESPACE.equals(element.getNamespaceURI());
    }

    private static List<Element> agentChildren(Element parent, String name) {
        List<Element> result = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i) instanceof Element e && ours(e) && name.equals(e.getLocalName())) {
                result.add(e);
            }
        }
        return result;
    }

    private static void appendString(Element parent, String name, String value) {
        Element element = appendElement(parent, name);
        if (needsEncoding(value)) {
            element.setAttribute(ENCODING, BASE64);
            element.setTextContent(Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)));
        } else {
            element.setTextContent(value);
        }
    }

    private static void appendMap(Element parent, String name, Map<String, String> map) {
        Element container = appendElement(parent, name);
        new TreeMap<>(map).forEach((key, value) -> {
            Element entry = appendElement(container, "entry");
            appendString(entry, "key", key);
            appendString(entry, "value", value);
        });
    }

    private static Map<String, String> readMap(Element container) {
        Map<String, String> map = new LinkedHashMap<>();
        for (Element entry : agentChildren(container, "entry")) {
            String key = readString(one(entry, "key"));
            if (map.put(key, readString(one(entry, "value"))) != null) {
                throw new DomainXmlException("corrupt agent metadata: duplicate key '" + key + "' in <"
                        + container.getLocalName() + ">");
            }
        }
        return map;
    }

    private static String readString(Element element) {
        String text = element.getTextContent();
        String encoding = element.getAttribute(ENCODING);
        if (encoding.isEmpty()) {
            return text;
        }
        if (!BASE64.equals(encoding)) {
            throw new DomainXmlException("corrupt agent metadata: unknown encoding '" + encoding + "' of <"
                    + element.getLocalName() + ">");
        }
        try {
            return new String(Base64.getDecoder().decode(text.strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new DomainXmlException("corrupt agent metadata: bad base64 in <" + element.getLocalName() + ">", e);
        }
    }

    private static Element one(Element parent, String name) {
        List<Element> found = agentChildren(parent, name);
        if (found.size() != 1) {
            throw new DomainXmlException("corrupt agent metadata: expected one <" + name + "> in <"
                    + parent.getLocalName() + ">, found " + found.size());
        }
        return found.get(0);
    }

    private static boolean needsEncoding(String value) {
        return XmlSupport.firstUncarriable(value) >= 0 || value.indexOf('\r') >= 0
                || (!value.isEmpty() && value.isBlank());
    }

    private static void checkUnicode(String what, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < value.length()
                    && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new DomainXmlException(what + " is not valid Unicode text (unpaired surrogate at index "
                        + i + ")");
            }
        }
    }
}
