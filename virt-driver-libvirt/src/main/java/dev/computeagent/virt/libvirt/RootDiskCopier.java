package dev.computeagent.virt.libvirt;

import dev.computeagent.hostio.ProcessException;
import dev.computeagent.hostio.ProcessResult;
import dev.computeagent.hostio.ProcessRunner;
import dev.computeagent.virt.DriverException;
import dev.computeagent.virt.HypervisorException;
import dev.computeagent.virt.InvalidSpecException;
import dev.computeagent.virt.OperationTimeoutException;
import dev.computeagent.virt.RootDiskCopy;
import dev.computeagent.virt.libvirt.binding.BlockJobProgress;
import dev.computeagent.virt.libvirt.binding.DomainHandle;
import dev.computeagent.virt.libvirt.domain.Channel;
import dev.computeagent.virt.libvirt.domain.Disk;
import dev.computeagent.virt.libvirt.domain.DiskDevice;
import dev.computeagent.virt.libvirt.domain.Domain;
import dev.computeagent.virt.libvirt.domain.DomainXml;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies a domain's root disk (its first {@code disk} device, backing chain flattened) into a standalone qcow2
 * file with {@code qemu-img convert}. A stopped domain's chain is converted at rest. A running domain first gets
 * a disk-only external snapshot: its root disk moves onto a temporary overlay ({@code <disk>.snapshot-overlay},
 * beside it) so that the chain below stops changing, taken while the guest's file systems are frozen through its
 * guest agent when it has one that answers (else crash-consistent); the frozen chain is converted while the
 * guest keeps running on the overlay; then the overlay is committed back into the disk (active block commit,
 * pivot) and removed.
 *
 * <p>Why this rather than a block copy to the target: the copy is made by a {@code qemu-img} process of its own,
 * not by the guest's QEMU, whose main loop under TCG on a busy host moved the data several times slower; the
 * guest is frozen only for the snapshot, not for the copy. The price is a moment where the domain's disk is the
 * temporary overlay: a copy cut short there (agent or libvirtd died) leaves the domain running on it, its content
 * intact, and the next copy of that domain commits it back first. The domain's definition is changed and changed
 * back by libvirt itself (no metadata kept).
 */
final class RootDiskCopier {

    /** Appended to the root disk's file name for the temporary overlay of a running domain. */
    static final String OVERLAY_SUFFIX = ".snapshot-overlay";
    private static final Logger log = LoggerFactory.getLogger(RootDiskCopier.class);
    /** The longest a copy or a commit may take: generous for a large disk on slow storage. */
    private static final Duration COPY_TIMEOUT = Duration.ofMinutes(30);
    private static final Duration AGENT_TIMEOUT = Duration.ofSeconds(10);
    private static final int THAW_ATTEMPTS = 3;

    private final ProcessRunner runner = new ProcessRunner();

    RootDiskCopy copy(DomainHandle domain, Path target) {
        Domain model = DomainXml.parse(domain.xml());
        Disk root = rootDisk(model, domain);
        deleteQuietly(target);
        if (!domain.isActive()) {
            // an overlay left by a cut copy is part of the chain the conversion flattens
            convert(root, target);
            return new RootDiskCopy(target, RootDiskCopy.Consistency.STOPPED);
        }
        if (root.source().getFileName().toString().endsWith(OVERLAY_SUFFIX)) {
            log.info("instance {}: committing back the overlay {} left by a copy cut short", domain.uuid(),
                    root.source());
            commitBack(domain, root.targetDev(), root.source());
            model = DomainXml.parse(domain.xml());
            root = rootDisk(model, domain);
        }
        Path overlay = root.source().resolveSibling(root.source().getFileName() + OVERLAY_SUFFIX);
        deleteQuietly(overlay);
        boolean guestAgent = model.devices().channels().stream()
                .anyMatch(c -> Channel.QEMU_GUEST_AGENT.equals(c.targetName()));
        String rootDev = root.targetDev();
        List<String> otherDisks = model.devices().disks().stream().map(Disk::targetDev)
                .filter(dev -> !dev.equals(rootDev)).toList();
        boolean frozen = guestAgent && freeze(domain);
        try {
            domain.createExternalDiskSnapshot(DomainXml.renderExternalDiskSnapshot(root.targetDev(), overlay,
                    otherDisks));
        } finally {
            if (frozen) {
                thaw(domain);
            }
        }
        try {
            convert(root, target);
        } finally {
            commitBack(domain, root.targetDev(), overlay);
        }
        return new RootDiskCopy(target, frozen ? RootDiskCopy.Consistency.QUIESCED
                : RootDiskCopy.Consistency.CRASH_CONSISTENT);
    }

    /** Commits back the overlay a copy cut short left a running domain on; a stopped domain's chain stays. */
    void finishInterrupted(DomainHandle domain) {
        if (!domain.isActive()) {
            // at rest the overlay is just part of the chain: a copy flattens it, the next running copy commits it
            return;
        }
        Disk root = rootDisk(DomainXml.parse(domain.xml()), domain);
        if (root.source().getFileName().toString().endsWith(OVERLAY_SUFFIX)) {
            log.info("instance {}: committing back the overlay {} left by a copy cut short", domain.uuid(),
                    root.source());
            commitBack(domain, root.targetDev(), root.source());
        }
    }

    private static Disk rootDisk(Domain model, DomainHandle domain) {
        return model.devices().disks().stream().filter(d -> d.device() == DiskDevice.DISK).findFirst()
                .orElseThrow(() -> new InvalidSpecException("instance " + domain.uuid() + " has no root disk"));
    }

    /** Commits the active overlay of {@code dev} into its backing file, pivots back onto it, removes the overlay. */
    private static void commitBack(DomainHandle domain, String dev, Path overlay) {
        if (domain.blockJobProgress(dev).isPresent()) {
            // only a job of a copy cut short can be running on the agent's domain: libvirt keeps it without a client
            domain.abortBlockJob(dev);
        }
        domain.startActiveCommit(dev);
        long deadline = System.nanoTime() + COPY_TIMEOUT.toNanos();
        boolean caughtUp = PowerControl.waitUntil(() -> domain.blockJobProgress(dev)
                .map(BlockJobProgress::caughtUp)
                .orElseThrow(() -> new HypervisorException("the commit of " + overlay + " into the disk of instance "
                        + domain.uuid() + " ended before it caught up")), deadline);
        if (!caughtUp) {
            throw new OperationTimeoutException("the commit of " + overlay + " of instance " + domain.uuid()
                    + " did not catch up within " + COPY_TIMEOUT + "; the instance keeps running on the overlay");
        }
        if (!PowerControl.waitUntil(() -> domain.pivotBlockJob(dev), deadline)) {
            throw new OperationTimeoutException("the commit of " + overlay + " of instance " + domain.uuid()
                    + " never became ready to pivot within " + COPY_TIMEOUT
                    + "; the instance keeps running on the overlay");
        }
        deleteQuietly(overlay);
    }

    /** Whether the guest froze; a guest agent that cannot makes the copy crash-consistent, no failure. */
    private static boolean freeze(DomainHandle domain) {
        try {
            domain.freezeFilesystems(AGENT_TIMEOUT);
            return true;
        } catch (DriverException e) {
            log.info("instance {}: the guest agent did not freeze the file systems ({}); the copy is "
                    + "crash-consistent", domain.uuid(), e.getMessage());
            // a freeze that timed out may still happen in the guest: make sure it does not stay frozen
            thawQuietly(domain);
            return false;
        }
    }

    private static void thaw(DomainHandle domain) {
        DriverException last = null;
        for (int attempt = 0; attempt < THAW_ATTEMPTS; attempt++) {
            try {
                domain.thawFilesystems(AGENT_TIMEOUT);
                return;
            } catch (DriverException e) {
                last = e;
            }
        }
        throw new HypervisorException("instance " + domain.uuid() + " may still have frozen file systems: the guest "
                + "agent did not thaw them", last);
    }

    private static void thawQuietly(DomainHandle domain) {
        try {
            domain.thawFilesystems(AGENT_TIMEOUT);
        } catch (DriverException e) {
            log.debug("instance {}: thaw after a failed freeze: {}", domain.uuid(), e.getMessage());
        }
    }

    /** {@code -U}: of a running domain only the chain below its overlay is read, which nothing writes any more. */
    private void convert(Disk root, Path target) {
        List<String> command = List.of("qemu-img", "convert", "-U", "-q", "-f", root.format().xmlName(), "-O",
                "qcow2", root.source().toString(), target.toString());
        ProcessResult result;
        try {
            result = runner.run(command, COPY_TIMEOUT);
        } catch (ProcessException e) {
            deleteQuietly(target);
            throw e.timedOut() ? new OperationTimeoutException("qemu-img convert of " + root.source()
                    + " did not finish within " + COPY_TIMEOUT, e)
                    : new HypervisorException("qemu-img convert of " + root.source() + " failed: " + e.getMessage(), e);
        }
        if (result.exitCode() != 0) {
            deleteQuietly(target);
            throw new HypervisorException("qemu-img convert of " + root.source() + " failed: "
                    + result.stderr().strip());
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.warn("cannot remove {}: {}", file, e.getMessage());
        }
    }
}
