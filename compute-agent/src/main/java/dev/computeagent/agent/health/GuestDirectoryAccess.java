package dev.computeagent.agent.health;

import dev.computeagent.hostio.ProcessException;
import dev.computeagent.hostio.ProcessResult;
import dev.computeagent.hostio.ProcessRunner;
import dev.computeagent.virt.GuestProcessUser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Whether the user guest processes run as ({@link GuestProcessUser}, QEMU's) can reach a directory: every
 * existing directory on the way must be searchable ({@code x}) by it, judged by the owner, group and other
 * permission bits against its uid, its primary group and its supplementary groups ({@code id -G}). A
 * directory that does not exist yet is created by the agent with the default mode, searchable by all.
 * POSIX ACL entries are not consulted: a directory opened to that user by an ACL alone is reported as
 * unreachable.
 */
final class GuestDirectoryAccess {

    private static final Duration ID_TIMEOUT = Duration.ofSeconds(5);

    private final ProcessRunner runner;

    GuestDirectoryAccess(ProcessRunner runner) {
        this.runner = runner;
    }

    /**
     * The first directory on the way to {@code target} that {@code user} cannot search, with what to do
     * about it; empty when every existing one is searchable.
     */
    Optional<String> blocked(Path target, GuestProcessUser user) {
        Set<Integer> groups = groupsOf(user);
        List<Path> chain = new ArrayList<>();
        for (Path p = target.toAbsolutePath().normalize(); p != null; p = p.getParent()) {
            chain.add(0, p);
        }
        for (Path dir : chain) {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(dir)) {
                return Optional.empty(); // the rest is created by the agent, searchable by all
            }
            try {
                int uid = (Integer) Files.getAttribute(dir, "unix:uid");
                int gid = (Integer) Files.getAttribute(dir, "unix:gid");
                Set<PosixFilePermission> mode = Files.getPosixFilePermissions(dir);
                if (!searchable(mode, uid, gid, user.uid(), groups)) {
                    return Optional.of("guests run as uid " + user.uid() + " (groups " + groups + ") and cannot search "
                            + dir + " (owner " + uid + ":" + gid + ", mode " + Integer.toOctalString(bits(mode))
                            + "): make every directory above the instances searchable by that user, e.g. chmod o+x "
                            + dir);
                }
            } catch (IOException | UnsupportedOperationException | ClassCastException e) {
                return Optional.of("cannot read the permissions of " + dir + ": " + e.getMessage());
            }
        }
        return Optional.empty();
    }

    static boolean searchable(Set<PosixFilePermission> mode, int ownerUid, int ownerGid, int uid, Set<Integer> groups) {
        if (uid == 0) {
            return true;
        }
        if (ownerUid == uid) {
            return mode.contains(PosixFilePermission.OWNER_EXECUTE);
        }
        if (groups.contains(ownerGid)) {
            return mode.contains(PosixFilePermission.GROUP_EXECUTE);
        }
        return mode.contains(PosixFilePermission.OTHERS_EXECUTE);
    }

    /** The user's primary group and, when {@code id} knows the uid, its supplementary groups. */
    private Set<Integer> groupsOf(GuestProcessUser user) {
        Set<Integer> groups = new HashSet<>(Set.of(user.gid()));
        try {
            ProcessResult id = runner.run(List.of("id", "-G", Integer.toString(user.uid())), ID_TIMEOUT);
            if (id.exitCode() == 0) {
                for (String g : id.stdout().split("\\s+")) {
                    if (!g.isEmpty()) {
                        groups.add(Integer.parseInt(g));
                    }
                }
            }
        } catch (ProcessException | NumberFormatException e) {
            // the primary group alone: a stricter judgement, never a looser one
        }
        return groups;
    }

    private static int bits(Set<PosixFilePermission> mode) {
        int bits = 0;
        for (PosixFilePermission p : mode) {
            bits |= 1 << (8 - p.ordinal());
        }
        return bits;
    }
}
