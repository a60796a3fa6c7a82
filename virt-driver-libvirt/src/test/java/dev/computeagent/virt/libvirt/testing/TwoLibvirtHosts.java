package dev.computeagent.virt.libvirt.testing;

import dev.computeagent.virt.testing.Prerequisites;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Two independent libvirt hosts on this machine, for migration tests and for tests that crash a libvirtd
 * ({@link #killLibvirtd}, {@link #startLibvirtd}; never the machine's own): register it as a static
 * {@code @RegisterExtension} field; it starts both hosts before the class's first test and removes
 * everything after its last one. Each host is a libvirtd + virtlogd in their own namespaces with a
 * distinct host UUID, reachable from the test over a UNIX socket or TCP (see the script
 * {@code twohosts/two-libvirt-hosts.sh} on the test class path, which this class copies out and runs).
 *
 * <p>Needs root, iproute2, util-linux, perl and libvirtd/virtlogd; bindfs + /dev/fuse make the shared
 * directory look like GlusterFS to libvirt (else {@link #sharedStorageRecognised()} is false and
 * shared-storage migrations need the unsafe flag). Missing pieces fail under {@code CI=true} and
 * skip elsewhere. A file lock serialises users across JVMs (the hosts have fixed addresses).
 *
 * <p>Paths: everything under {@code /tmp} (so {@link #sharedDir()} and each {@link Host#dir()}) is visible
 * at the same path from this JVM and from inside both hosts; only the hosts' libvirt directories
 * (/etc/libvirt, /run, /var/lib/libvirt, /var/log/libvirt) are private. So per-host "local" storage
 * for block migration, or an agent's state directory, is simply a directory under {@code host.dir()}
 * (e.g. {@code a().dir().resolve("state")}); its files have different paths on the two hosts, which a
 * migration bridges with {@code MigrationRequest.rewritePaths}. Guests run as root inside the hosts.
 */
public final class TwoLibvirtHosts implements BeforeAllCallback, AfterAllCallback {

    private static final String SCRIPT_RESOURCE = "/twohosts/two-libvirt-hosts.sh";
    private static final Path LOCK_FILE = Path.of("/tmp/ca-twohosts.lock");
    private static final Duration UP_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration DOWN_TIMEOUT = Duration.ofSeconds(60);

    /**
     * One of the two hosts.
     *
     * @param name    {@code a} or {@code b}
     * @param unixUri libvirt URI over the host's UNIX socket (from this machine's root namespace)
     * @param tcpUri  libvirt URI over TCP: what the other host's libvirtd uses for peer-to-peer migration
     * @param ip      the host's address on the private LAN
     * @param dir     the host's private state, seen from here: {@code lib} = its /var/lib/libvirt,
     *                {@code log} = its /var/log/libvirt
     */
    public record Host(String name, String unixUri, String tcpUri, String ip, Path dir) {

        /** Where this host's {@code /var/lib/libvirt/<relative>} is, seen from the test. */
        public Path libDir(String relative) {
            return dir.resolve("lib").resolve(relative);
        }
    }

    /** Outcome of a command run inside a host. */
    public record ExecResult(int exitCode, String stdout, String stderr) {
        public boolean succeeded() {
            return exitCode == 0;
        }
    }

    private Path workDir;
    private Path script;
    private FileChannel lockChannel;
    private FileLock lock;
    private Map<String, String> env;
    private Host a;
    private Host b;

    @Override
    public void beforeAll(ExtensionContext context) {
        Prerequisites.require("two libvirt hosts (root, ip, nsenter, unshare, perl, libvirtd, virtlogd)",
                isRoot() && onPath("ip") && onPath("nsenter") && onPath("unshare") && onPath("perl")
                        && onPath("libvirtd") && onPath("virtlogd") && onPath("virsh"),
                "run as root; apt-get install iproute2 util-linux perl libvirt-daemon-system qemu-system-x86 bindfs");
        try {
            workDir = Files.createTempDirectory("ca-twohosts-");
            script = workDir.resolve("two-libvirt-hosts.sh");
            try (InputStream in = Objects.requireNonNull(TwoLibvirtHosts.class.getResourceAsStream(SCRIPT_RESOURCE),
                    SCRIPT_RESOURCE)) {
                Files.copy(in, script);
            }
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
            lockChannel = FileChannel.open(LOCK_FILE, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            lock = lockChannel.lock();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the two-host harness", e);
        }
        // hosts left over by a killed JVM would carry its guests: always start from nothing
        run(DOWN_TIMEOUT, List.of("down"));
        ExecResult up = run(UP_TIMEOUT, List.of("up"));
        if (!up.succeeded()) {
            run(DOWN_TIMEOUT, List.of("down"));
            release();
            throw new IllegalStateException("two-libvirt-hosts.sh up failed (" + up.exitCode() + "):\n" + up.stderr());
        }
        env = parseEnv(up.stdout());
        a = host("a");
        b = host("b");
    }

    @Override
    public void afterAll(ExtensionContext context) {
        try {
            if (script != null) {
                ExecResult down = run(DOWN_TIMEOUT, List.of("down"));
                if (!down.succeeded()) {
                    throw new IllegalStateException("two-libvirt-hosts.sh down failed:\n" + down.stderr());
                }
            }
        } finally {
            release();
        }
    }

    public Host a() {
        return Objects.requireNonNull(a, "hosts are not up");
    }

    public Host b() {
        return Objects.requireNonNull(b, "hosts are not up");
    }

    /**
     * This machine's (the root network namespace's) address on the hosts' private LAN: a server the test runs
     * here listening on it (an iSCSI target, an image store) is reachable from inside both hosts.
     */
    public String rootIp() {
        return Objects.requireNonNull(env.get("ROOT_IP"), "ROOT_IP");
    }

    /** A directory visible at this same path from here and from inside both hosts. */
    public Path sharedDir() {
        return Path.of(env.get("SHARED_DIR"));
    }

    /**
     * Whether libvirt inside the hosts recognises {@link #sharedDir()} as shared storage (so live
     * migration of disks in it needs no unsafe flag).
     */
    public boolean sharedStorageRecognised() {
        return !"none".equals(env.get("SHARED_FS"));
    }

    /** Runs {@code command} (an argument list, no shell) inside {@code host}'s namespaces. */
    /**
     * {@code virsh} against {@code host}'s own libvirtd, run inside the host; its stdout.
     *
     * @throws IllegalStateException a non-zero exit (the command and its stderr in the message)
     */
    public String virsh(Host host, String... arguments) {
        List<String> command = new ArrayList<>(List.of("virsh", "-c", "qemu:///system"));
        command.addAll(List.of(arguments));
        ExecResult result = exec(host, Duration.ofSeconds(30), command.toArray(String[]::new));
        if (!result.succeeded()) {
            throw new IllegalStateException(String.join(" ", command) + " failed (" + result.exitCode() + "): "
                    + result.stderr().strip());
        }
        return result.stdout();
    }

    public ExecResult exec(Host host, Duration timeout, String... command) {
        List<String> args = new ArrayList<>(List.of("exec", host.name()));
        args.addAll(List.of(command));
        return run(timeout, args);
    }

    /**
     * SIGKILLs {@code host}'s libvirtd, as a crash would (its guests keep running), and returns once
     * it is gone. Clients see their connection die.
     */
    public void killLibvirtd(Host host) {
        ExecResult result = run(DOWN_TIMEOUT, List.of("kill-libvirtd", host.name()));
        if (!result.succeeded()) {
            throw new IllegalStateException("kill-libvirtd " + host.name() + " failed:\n" + result.stderr());
        }
    }

    /** Starts {@code host}'s libvirtd again (it reattaches to the running guests); returns once it answers. */
    public void startLibvirtd(Host host) {
        ExecResult result = run(UP_TIMEOUT, List.of("start-libvirtd", host.name()));
        if (!result.succeeded()) {
            throw new IllegalStateException("start-libvirtd " + host.name() + " failed:\n" + result.stderr());
        }
    }

    private Host host(String name) {
        String upper = name.toUpperCase(Locale.ROOT);
        return new Host(name, env.get("URI_" + upper), env.get("TCP_URI_" + upper), env.get("IP_" + upper),
                Path.of(env.get("HOST_DIR_" + upper)));
    }

    private ExecResult run(Duration timeout, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add("/bin/bash");
        command.add(script.toString());
        command.addAll(args);
        try {
            // files, not pipes: daemons started by the script must never hold our pipes open
            Path out = Files.createTempFile(workDir, "out", ".txt");
            Path err = Files.createTempFile(workDir, "err", ".txt");
            Process process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                return new ExecResult(-1, Files.readString(out), Files.readString(err) + "\n(timed out after " + timeout + ")");
            }
            ExecResult result = new ExecResult(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
    }

    private void release() {
        try {
            if (lock != null) {
                lock.release();
            }
            if (lockChannel != null) {
                lockChannel.close();
            }
            if (workDir != null) {
                try (var files = Files.list(workDir)) {
                    for (Path file : files.toList()) {
                        Files.deleteIfExists(file);
                    }
                }
                Files.deleteIfExists(workDir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean up the two-host harness", e);
        } finally {
            lock = null;
            lockChannel = null;
        }
    }

    private static Map<String, String> parseEnv(String output) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0 && line.substring(0, eq).matches("[A-Z_]+")) {
                values.put(line.substring(0, eq), line.substring(eq + 1).trim());
            }
        }
        for (String key : List.of("URI_A", "URI_B", "TCP_URI_A", "TCP_URI_B", "IP_A", "IP_B", "HOST_DIR_A",
                "HOST_DIR_B", "SHARED_DIR", "SHARED_FS")) {
            if (!values.containsKey(key)) {
                throw new IllegalStateException("two-libvirt-hosts.sh up did not report " + key + ":\n" + output);
            }
        }
        return values;
    }

    private static boolean isRoot() {
        return Prerequisites.commandSucceeds("test", "-w", "/run") && "root".equals(System.getProperty("user.name"));
    }

    private static boolean onPath(String command) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin";
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }
}
