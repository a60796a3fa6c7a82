package dev.computeagent.agent.testing;

import dev.computeagent.agent.configdrive.ConfigDriveBuilder;
import dev.computeagent.agent.configdrive.ConfigDriveOptions;
import dev.computeagent.hostio.ProcessRunner;
import dev.computeagent.hostio.testing.Commands;
import dev.computeagent.virt.testing.Prerequisites;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The real config drive builder for tests, and the check that genisoimage is installed. */
public final class ConfigDrives {

    /** The agent's defaults: a drive only for spawns that give the guest something, zone {@code nova}. */
    public static final ConfigDriveOptions OPTIONS = new ConfigDriveOptions(false, "nova");

    private ConfigDrives() {
    }

    public static ConfigDriveBuilder builder() {
        return new ConfigDriveBuilder(new ProcessRunner(), Duration.ofSeconds(30));
    }

    /** Skips the test (fails it under {@code CI=true}) when {@code genisoimage} and isoinfo are not installed. */
    public static void requireGenisoimage() {
        Prerequisites.require("genisoimage", Prerequisites.commandSucceeds("genisoimage", "-version")
                && Prerequisites.commandSucceeds("isoinfo", "-version"), "apt-get install genisoimage");
    }

    /** A file of the ISO image {@code iso}, byte for byte, read with isoinfo (Rock Ridge names). */
    public static byte[] file(Path iso, String path) {
        return isoinfo("-i", iso.toString(), "-R", "-x", path);
    }

    /** isoinfo's description of the image: volume id, sizes, extensions. */
    public static String describe(Path iso) {
        return new String(isoinfo("-d", "-i", iso.toString()), StandardCharsets.UTF_8);
    }

    /** The paths of every file and directory in the image. */
    public static String list(Path iso) {
        return new String(isoinfo("-i", iso.toString(), "-R", "-f"), StandardCharsets.UTF_8);
    }

    private static byte[] isoinfo(String... args) {
        List<String> command = new ArrayList<>(List.of("isoinfo"));
        command.addAll(List.of(args));
        return Commands.output(Duration.ofSeconds(30), command);
    }
}
