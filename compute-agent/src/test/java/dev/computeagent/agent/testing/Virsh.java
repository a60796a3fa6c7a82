package dev.computeagent.agent.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Looks at libvirt from outside the agent (argument list, timeout), to prove what exists; {@link #run}
 * runs any such command of a test.
 */
public final class Virsh {

    private Virsh() {
    }

    /** Names of all domains (running or not) on qemu:///system. */
    public static List<String> allDomains() {
        String out = run("virsh", "-c", "qemu:///system", "list", "--all", "--name");
        return Arrays.stream(out.split("\n")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /**
     * Destroys and undefines the domains {@code instance-<uuid>} whose instance directory is under
     * {@code stateDir}: what a failed test left of its own agent's work, never anyone else's.
     */
    public static void removeDomainsOf(java.nio.file.Path stateDir) {
        for (String name : allDomains()) {
            if (name.startsWith("instance-") && java.nio.file.Files.isDirectory(
                    stateDir.resolve("instances").resolve(name.substring("instance-".length())))) {
                try {
                    run("virsh", "-c", "qemu:///system", "destroy", name);
                } catch (IllegalStateException ignored) {
                    // not running
                }
                run("virsh", "-c", "qemu:///system", "undefine", name);
            }
        }
    }

    public static String run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + String.join(" ", command));
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command[0], e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
