package dev.computeagent.virt.libvirt.domain;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.jspecify.annotations.Nullable;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * The JDK's DOM and serializer, configured once: parsing is namespace-aware and refuses DTDs (no
 * entity expansion, no external fetches); every text or attribute value written passes
 * {@link #checkText} first, so a value XML 1.0 cannot carry fails instead of producing a broken
 * document.
 */
final class XmlSupport {

    /** Factories are costly to find and not thread-safe; what they make is used by one thread only. */
    private static final DocumentBuilderFactory BUILDERS = builderFactory();
    private static final TransformerFactory TRANSFORMERS = transformerFactory();

    private XmlSupport() {
    }

    static Document newDocument() {
        return builder().newDocument();
    }

    static Document parse(@Nullable String xml) {
        if (xml == null) {
            throw new DomainXmlException("no XML given");
        }
        try {
            return builder().parse(new InputSource(new StringReader(xml)));
        } catch (SAXException e) {
            throw new DomainXmlException("malformed XML: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new DomainXmlException("cannot read XML: " + e.getMessage(), e);
        }
    }

    /** Serializes {@code node} indented by two spaces, without an XML declaration. */
    static String serialize(Node node) {
        try {
            Transformer transformer;
            synchronized (TRANSFORMERS) {
                transformer = TRANSFORMERS.newTransformer();
            }
            transformer.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
            transformer.setOutputProperty(OutputKeys.ENCODING, "UTF-8");
            transformer.setOutputProperty(OutputKeys.INDENT, "yes");
            transformer.setOutputProperty("{http://xml.apache.org/xslt}indent-amount", "2");
            StringWriter out = new StringWriter();
            transformer.transform(new DOMSource(node), new StreamResult(out));
            return out.toString().strip() + "\n";
        } catch (TransformerException e) {
            throw new DomainXmlException("cannot serialize XML: " + e.getMessage(), e);
        }
    }

    /**
     * Fails unless every character of {@code text} is one XML 1.0 can carry ({@code Char}
     * production: tab, newline, carriage return, U+0020–U+D7FF, U+E000–U+FFFD, and well-formed
     * surrogate pairs).
     */
    static String checkText(String what, String text) {
        int bad = firstUncarriable(text);
        if (bad >= 0) {
            throw new DomainXmlException(what + " contains a character XML 1.0 cannot carry (U+"
                    + String.format("%04X", (int) text.charAt(bad)) + " at index " + bad + ")");
        }
        return text;
    }

    /** Index of the first character XML 1.0 cannot carry, or -1. */
    static int firstUncarriable(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
                continue;
            }
            boolean ok = c == '\t' || c == '\n' || c == '\r'
                    || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD);
            if (!ok) {
                return i;
            }
        }
        return -1;
    }

    static Element append(Element parent, String name) {
        Element child = parent.getOwnerDocument().createElement(name);
        parent.appendChild(child);
        return child;
    }

    static Element appendText(Element parent, String name, String text) {
        Element child = append(parent, name);
        child.setTextContent(checkText("<" + name + ">", text));
        return child;
    }

    static void attr(Element element, String name, String value) {
        element.setAttribute(name, checkText(element.getTagName() + "/@" + name, value));
    }

    /** Child elements of {@code parent} named {@code name} in no namespace. */
    static List<Element> children(Element parent, String name) {
        List<Element> result = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i) instanceof Element e && e.getNamespaceURI() == null
                    && name.equals(e.getLocalName())) {
                result.add(e);
            }
        }
        return result;
    }

    /** Child elements of {@code parent} in namespace {@code ns} with local name {@code name}. */
    static List<Element> childrenNs(Element parent, String ns, String name) {
        List<Element> result = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i) instanceof Element e && ns.equals(e.getNamespaceURI())
                    && name.equals(e.getLocalName())) {
                result.add(e);
            }
        }
        return result;
    }

    static Optional<Element> child(Element parent, String name) {
        List<Element> all = children(parent, name);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
    }

    static Element requiredChild(Element parent, String name) {
        return child(parent, name).orElseThrow(() ->
                new DomainXmlException("<" + parent.getLocalName() + "> has no <" + name + ">"));
    }

    /** The attribute's value; absent when the attribute is missing. */
    static Optional<String> optAttr(Element element, String name) {
        return element.hasAttribute(name) ? Optional.of(element.getAttribute(name)) : Optional.empty();
    }

    static String requiredAttr(Element element, String name) {
        return optAttr(element, name).orElseThrow(() ->
                new DomainXmlException("<" + element.getLocalName() + "> has no '" + name + "' attribute"));
    }

    static long parseLong(String what, String text) {
        try {
            return Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            throw new DomainXmlException(what + " is not a number: '" + text + "'", e);
        }
    }

    static int parseInt(String what, String text) {
        try {
            return Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw new DomainXmlException(what + " is not a number: '" + text + "'", e);
        }
    }

    private static DocumentBuilderFactory builderFactory() {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setXIncludeAware(false);
            factory.setExpandEntityReferences(false);
            return factory;
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("the JDK's XML parser lacks a required feature", e);
        }
    }

    private static TransformerFactory transformerFactory() {
        TransformerFactory factory = TransformerFactory.newInstance();
        factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_STYLESHEET, "");
        return factory;
    }

    private static DocumentBuilder builder() {
        try {
            DocumentBuilder builder;
            synchronized (BUILDERS) {
                builder = BUILDERS.newDocumentBuilder();
            }
            builder.setErrorHandler(new DefaultHandler() {
                @Override
                public void warning(SAXParseException e) {
                    // warnings do not make a document unusable
                }
            });
            return builder;
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("the JDK's XML parser lacks a required feature", e);
        }
    }
}
