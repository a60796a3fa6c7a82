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
import dev.computeagent.virt.libvirt.domain.DiskFormat;
import dev.computeagent.virt.libvirt.domain.DiskSourceType;
import dev.computeagent.virt.libvirt.domain.Domain;
import dev.computeagent.virt.libvirt.domain.DomainXml;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies a domain's root disk (its first {@code disk} device, backing chain flattened) into a standalone
 * qcow2 file. A stopped domain: {@code qemu-img convert} of the chain at rest. A running one: a libvirt block
 * copy ({@code virDomainBlockCopy}, a transient job) until the copy has caught up and mirrors the guest's
 * writes, then the guest's file systems are frozen through its guest agent (when it has one that answers),
 * the job is aborted without pivot, which leaves the copy as of that moment, and the file systems are thawed.
 *
 * <p>Why a block copy rather than an external snapshot plus block commit: the domain's definition and disk
 * never change (no overlay to commit back, no new backing file in the definition), so an agent or libvirtd
 * dying half way leaves at worst a partial copy file, never a domain pointing at a temporary overlay; and the
 * guest is frozen only for the abort, not for the whole copy.
 */
final class RootDiskCopier {

    private static final Logger log = LoggerFactory.getLogger(RootDiskCopier.class);
    /** The longest a copy may take, either way: generous for a large disk on slow storage. */
    private static final Duration COPY_TIMEOUT = Duration.ofMinutes(30);
    private static final Duration AGENT_TIMEOUT = Duration.ofSeconds(10);
    private static final int THAW_ATTEMPTS = 3;

    private final ProcessRunner runner = new ProcessRunner();

    RootDiskCopy copy(DomainHandle domain, Path target) {
        Domain model = DomainXml.parse(domain.xml());
        Disk root = model.devices().disks().stream().filter(d -> d.device() == DiskDevice.DISK).findFirst()
                .orElseThrow(() -> new InvalidSpecException("instance " + domain.uuid() + " has no root disk"));
        deleteQuietly(target);
        if (!domain.isActive()) {
            convert(root, target);
            return new RootDiskCopy(target, RootDiskCopy.Consistency.STOPPED);
        }
        boolean guestAgent = model.devices().channels().stream()
                .anyMatch(c -> Channel.QEMU_GUEST_AGENT.equals(c.targetName()));
        try {
            return new RootDiskCopy(target, mirrorAndDetach(domain, root, target, guestAgent));
        } catch (RuntimeException e) {
            deleteQuietly(target);
            throw e;
        }
    }

    private RootDiskCopy.Consistency mirrorAndDetach(DomainHandle domain, Disk root, Path target, boolean guestAgent) {
        String dev = root.targetDev();
        Disk destination = new Disk(DiskSourceType.FILE, DiskDevice.DISK, target, DiskFormat.QCOW2, Optional.empty(),
                Optional.empty(), dev, root.bus(), false);
        if (domain.blockJobProgress(dev).isPresent()) {
            // only a copy of an earlier attempt cut short (the agent died) can be running on the agent's domain:
            // libvirt keeps such a job going without its client
            log.info("instance {}: aborting the block job left on {} by an earlier attempt", domain.uuid(), dev);
            domain.abortBlockJob(dev);
        }
        domain.startBlockCopy(dev, DomainXml.renderDisk(destination));
        boolean ended = false;
        try {
            long deadline = System.nanoTime() + COPY_TIMEOUT.toNanos();
            boolean caughtUp = PowerControl.waitUntil(() -> domain.blockJobProgress(dev)
                    .map(BlockJobProgress::caughtUp)
                    .orElseThrow(() -> new HypervisorException("the copy of " + dev + " of instance "
                            + domain.uuid() + " ended before it caught up")), deadline);
            if (!caughtUp) {
                throw new OperationTimeoutException("the copy of " + dev + " of instance " + domain.uuid()
                        + " did not catch up within " + COPY_TIMEOUT);
            }
            boolean frozen = guestAgent && freeze(domain);
            try {
                domain.abortBlockJob(dev);
                ended = true;
            } finally {
                if (frozen) {
                    thaw(domain);
                }
            }
            return frozen ? RootDiskCopy.Consistency.QUIESCED : RootDiskCopy.Consistency.CRASH_CONSISTENT;
        } finally {
            if (!ended) {
                abortQuietly(domain, dev);
            }
        }
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

    private static void abortQuietly(DomainHandle domain, String dev) {
        try {
            domain.abortBlockJob(dev);
        } catch (DriverException e) {
            log.debug("instance {}: aborting the copy of {}: {}", domain.uuid(), dev, e.getMessage());
        }
    }

    private void convert(Disk root, Path target) {
        List<String> command = List.of("qemu-img", "convert", "-q", "-f", root.format().xmlName(), "-O", "qcow2",
                root.source().toString(), target.toString());
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
