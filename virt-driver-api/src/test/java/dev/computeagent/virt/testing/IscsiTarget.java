package dev.computeagent.virt.testing;

import static org.awaitility.Awaitility.await;

import dev.computeagent.hostio.testing.Commands;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private iSCSI target for tests: its own {@code tgtd} (Debian's user-space target, no kernel module)
 * on 127.0.0.1 (or an address of this machine the test chooses, e.g. one that other network namespaces
 * reach) and a free port, with its own management socket, one LUN (number 1) backed by a file of
 * the test's, and CHAP: only {@link #USER} with the password given may log in. {@link #close()} stops it.
 * Missing {@code tgtd} fails under {@code CI=true} (skips elsewhere).
 */
public final class IscsiTarget implements AutoCloseable {

    public static final String IQN = "iqn.2026-12.dev.computeagent:volume-test";
    public static final String USER = "compute-agent-test";
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final Process daemon;
    private final String address;
    private final int port;
    private final int controlPort;
    private final Path lun;

    private IscsiTarget(Process daemon, String address, int port, int controlPort, Path lun) {
        this.daemon = daemon;
        this.address = address;
        this.port = port;
        this.controlPort = controlPort;
        this.lun = lun;
    }

    /** Fails (CI) or skips unless {@code tgtd} and {@code tgtadm} are installed. */
    public static void require() {
        Prerequisites.require("tgt (tgtd, tgtadm)", Prerequisites.commandSucceeds("tgtd", "-V")
                && Prerequisites.commandSucceeds("tgtadm", "-V"), "apt-get install tgt (scripts/host-setup.sh)");
    }

    /** Starts a target on 127.0.0.1 exporting a new file of {@code sizeBytes} in {@code dir} as LUN 1. */
    public static IscsiTarget start(Path dir, long sizeBytes, String password) {
        return start(dir, sizeBytes, password, "127.0.0.1");
    }

    /**
     * Starts a target listening on {@code address} (an IPv4 address of this machine's network namespace; the
     * port is chosen free on all of them) exporting a new file of {@code sizeBytes} in {@code dir} as LUN 1.
     */
    public static IscsiTarget start(Path dir, long sizeBytes, String password, String address) {
        try {
            Path lun = dir.resolve("lun1.img");
            try (RandomAccessFile file = new RandomAccessFile(lun.toFile(), "rw")) {
                file.setLength(sizeBytes);
            }
            int port = freePort();
            // tgtd takes management "ports" (socket name suffixes) up to 32767 only
            int controlPort = 1 + port % 32000;
            Path log = dir.resolve("tgtd.log");
            Process daemon = new ProcessBuilder("tgtd", "-f", "-C", Integer.toString(controlPort),
                    "--iscsi", "portal=" + address + ":" + port)
                    .redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
            IscsiTarget target = new IscsiTarget(daemon, address, port, controlPort, lun);
            try {
                await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(100)).until(() -> {
                    if (!daemon.isAlive()) {
                        throw new IllegalStateException("tgtd exited:\n" + Files.readString(log));
                    }
                    return Prerequisites.tcpAnswers(address, port);
                });
                target.tgtadm("--op", "new", "--mode", "target", "--tid", "1", "-T", IQN);
                target.tgtadm("--op", "new", "--mode", "logicalunit", "--tid", "1", "--lun", "1", "-b", lun.toString());
                target.tgtadm("--op", "new", "--mode", "account", "--user", USER, "--password", password);
                target.tgtadm("--op", "bind", "--mode", "account", "--tid", "1", "--user", USER);
                target.tgtadm("--op", "bind", "--mode", "target", "--tid", "1", "-I", "ALL");
                return target;
            } catch (RuntimeException e) {
                target.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start tgtd", e);
        }
    }

    /** The address the portal listens on. */
    public String address() {
        return address;
    }

    public int port() {
        return port;
    }

    /** The file behind LUN 1. */
    public Path lunFile() {
        return lun;
    }

    /** How many initiators are logged in now. */
    public int connectedInitiators() {
        String show = tgtadm("--op", "show", "--mode", "conn", "--tid", "1");
        return (int) show.lines().filter(line -> line.strip().startsWith("Session:")).count();
    }

    /** The addresses the logged-in initiators connect from, one per connection. */
    public List<String> initiatorAddresses() {
        String show = tgtadm("--op", "show", "--mode", "conn", "--tid", "1");
        return show.lines().map(String::strip).filter(line -> line.startsWith("IP Address:"))
                .map(line -> line.substring("IP Address:".length()).strip()).toList();
    }

    /** Lets {@code user} with {@code password} log in too (a second CHAP account bound to the target). */
    public void addAccount(String user, String password) {
        tgtadm("--op", "new", "--mode", "account", "--user", user, "--password", password);
        tgtadm("--op", "bind", "--mode", "account", "--tid", "1", "--user", user);
    }

    private String tgtadm(String... arguments) {
        List<String> command = new ArrayList<>(List.of("tgtadm", "-C", Integer.toString(controlPort),
                "--lld", "iscsi"));
        command.addAll(List.of(arguments));
        return Commands.check(TIMEOUT, command);
    }

    /** tgtd ignores SIGTERM while it exports a target: the target goes first, then the daemon is told to exit. */
    @Override
    public void close() {
        if (daemon.isAlive()) {
            Commands.run(TIMEOUT, "tgtadm", "-C", Integer.toString(controlPort), "--lld", "iscsi", "--op", "delete",
                    "--mode", "target", "--tid", "1", "--force");
            Commands.run(TIMEOUT, "tgtadm", "-C", Integer.toString(controlPort), "--op", "delete", "--mode", "system",
                    "--force");
        }
        try {
            if (!daemon.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                daemon.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            daemon.destroyForcibly();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
