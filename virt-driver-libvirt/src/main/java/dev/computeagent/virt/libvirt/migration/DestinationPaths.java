package dev.computeagent.virt.libvirt.migration;

import java.nio.file.Path;
import java.util.Map;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * Rewrites the file paths of a libvirt domain XML for a destination that keeps the instance's files
 * under other directories: {@code <disk><source file>} with its {@code <backingStore>} chain, and the
 * {@code <log file>} / file-backed
 * {@code <source path>} of serial ports and consoles. Everything else of libvirt's migratable XML
 * is kept exactly (it must stay ABI-compatible), so this works on the DOM rather than on the
 * typed model, which only knows what the agent renders ({@link MigratableXml}).
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
        Document document = MigratableXml.parse(domainXml);
        Element devices = MigratableXml.firstChild(document.getDocumentElement(), "devices");
        if (devices != null) {
            for (Element disk : MigratableXml.children(devices, "disk")) {
                // the disk and its backing chain, which libvirt may spell out in <backingStore>
                for (Element layer = disk; layer != null; layer = MigratableXml.firstChild(layer, "backingStore")) {
                    rewriteAttribute(MigratableXml.firstChild(layer, "source"), "file");
                }
            }
            for (String kind : new String[] {"serial", "console"}) {
                for (Element device : MigratableXml.children(devices, kind)) {
                    rewriteAttribute(MigratableXml.firstChild(device, "log"), "file");
                    if ("file".equals(device.getAttribute("type"))) {
                        rewriteAttribute(MigratableXml.firstChild(device, "source"), "path");
                    }
                }
            }
        }
        return MigratableXml.render(document);
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
}
