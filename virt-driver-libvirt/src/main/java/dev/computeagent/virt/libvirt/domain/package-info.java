/**
 * The typed model of libvirt domain XML and its conversion from and to text: records and enums
 * with no policy in them ({@link dev.computeagent.virt.libvirt.domain.Domain}), the renderer and
 * parser ({@link dev.computeagent.virt.libvirt.domain.DomainXml}), the agent's own metadata element
 * ({@link dev.computeagent.virt.libvirt.domain.AgentMetadata}) and the instance naming scheme
 * ({@link dev.computeagent.virt.libvirt.domain.DomainNames}).
 *
 * <p>Nothing in this package is null; absent parts are {@link java.util.Optional}s or empty lists.
 * Every failure to read or write XML is a {@link dev.computeagent.virt.libvirt.domain.DomainXmlException}.
 */
@NullMarked
package dev.computeagent.virt.libvirt.domain;

import org.jspecify.annotations.NullMarked;
