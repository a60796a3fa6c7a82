package dev.computeagent.agent.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.hostio.ProcessRunner;
import dev.computeagent.virt.GuestProcessUser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whether QEMU's user can reach the instances directory, judged from the real file system's permissions. */
class GuestDirectoryAccessTest {

    /** A user no host has: {@code id} knows no groups for it, only its primary group counts. */
    private static final GuestProcessUser GUESTS = new GuestProcessUser(54_321, 54_321);

    @TempDir
    Path root;

    private final GuestDirectoryAccess access = new GuestDirectoryAccess(new ProcessRunner());

    @Test
    void aDirectoryOthersCannotSearchBlocksTheGuestsAndSaysWhatToFix() throws Exception {
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path state = Files.createDirectory(root.resolve("state"));
        Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwx------"));

        assertThat(access.blocked(state.resolve("instances"), GUESTS)).hasValueSatisfying(reason -> assertThat(reason)
                .contains("uid 54321").contains("cannot search " + state).contains("mode 700")
                .contains("chmod o+x " + state));

        Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwx--x--x"));
        assertThat(access.blocked(state.resolve("instances"), GUESTS)).as("instances is made later, searchable")
                .isEmpty();
    }

    @Test
    void theOwnerAndTheGroupBitsCountForTheirOwnUserAndGroup() throws Exception {
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path state = Files.createDirectory(root.resolve("state"));
        Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwxr-x---"));
        Files.setAttribute(state, "unix:gid", GUESTS.gid());
        assertThat(access.blocked(state, GUESTS)).as("the guests' group may search").isEmpty();

        Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwx---r-x"));
        assertThat(access.blocked(state, GUESTS)).as("group bits, not other bits, apply to the group").isPresent();

        Files.setAttribute(state, "unix:uid", GUESTS.uid());
        Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwx------"));
        assertThat(access.blocked(state, GUESTS)).as("the owner's bits apply to the owner").isEmpty();
    }
}
