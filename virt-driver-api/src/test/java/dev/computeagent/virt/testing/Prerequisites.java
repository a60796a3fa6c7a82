package dev.computeagent.virt.testing;

import dev.computeagent.hostio.testing.Commands;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Guards for tests that need a real component. Under {@code CI=true} a missing component fails
 * the test; elsewhere the test is skipped with a message saying what to install.
 */
public final class Prerequisites {

    private Prerequisites() {
    }

    /** Whether this run is CI, where nothing may be skipped for a missing component. */
    public static boolean inCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Fails (CI) or skips (elsewhere) unless {@code available}. */
    public static void require(String component, boolean available, String howToGetIt) {
        if (available) {
            return;
        }
        String message = component + " is not available: " + howToGetIt;
        if (inCi()) {
            Assertions.fail(message + " (CI=true: a missing component fails the test)");
        }
        Assumptions.abort(message);
    }

    /** A libvirtd answering on {@code uri}, checked with {@code virsh version}. */
    public static void requireLibvirt(String uri) {
        require("libvirtd at " + uri, commandSucceeds("virsh", "-c", uri, "version"),
                "apt-get install libvirt-daemon-system qemu-system-x86; virtlogd -d; libvirtd -d");
    }

    /** {@code qemu-img} on the PATH. */
    public static void requireQemuImg() {
        require("qemu-img", commandSucceeds("qemu-img", "--version"), "apt-get install qemu-utils");
    }

    /** {@code virt-xml-validate} on the PATH. */
    public static void requireVirtXmlValidate() {
        require("virt-xml-validate", commandSucceeds("virt-xml-validate", "--help")
                        || Files.isExecutable(Path.of("/usr/bin/virt-xml-validate")),
                "apt-get install libvirt-clients libxml2-utils");
    }

    /** Something listening on {@code host:port}, e.g. RabbitMQ on 127.0.0.1:5672. */
    public static void requireTcp(String component, String host, int port, String howToGetIt) {
        require(component + " at " + host + ":" + port, tcpAnswers(host, port), howToGetIt);
    }

    public static boolean tcpAnswers(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 2000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public static boolean commandSucceeds(String... command) {
        return Commands.succeeds(Duration.ofSeconds(20), command);
    }
}
