package dev.computeagent.agent.testing;

import static org.awaitility.Awaitility.await;

import dev.computeagent.agent.message.AgentJson;
import dev.computeagent.virt.libvirt.testing.Virsh;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.UUID;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The QEMU guest agent inside a running instance, reached through libvirt
 * ({@code virsh qemu-agent-command}): how a test looks inside a real guest, independently of the compute
 * agent. Commands run as root in the guest ({@code guest-exec}); a command that fails fails the caller.
 */
public final class GuestAgentShell {

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

    private final String libvirtUri;
    private final String domain;

    /** The guest agent of instance {@code uuid} on the libvirtd at {@code libvirtUri}. */
    public GuestAgentShell(String libvirtUri, UUID uuid) {
        this.libvirtUri = libvirtUri;
        this.domain = "instance-" + uuid;
    }

    /** Whether the guest agent answers a {@code guest-ping} now. */
    public boolean answers() {
        try {
            execute(request("guest-ping"));
            return true;
        } catch (IllegalStateException notYet) {
            return false;
        }
    }

    /** Waits until the guest agent answers (the guest has booted far enough). */
    public GuestAgentShell awaitAnswering(Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofSeconds(2)).until(this::answers);
        return this;
    }

    /**
     * Runs {@code script} with {@code /bin/sh -c} in the guest and returns its standard output.
     *
     * @throws IllegalStateException it exited with a status other than 0 (the message has its stderr)
     */
    public String run(String script) {
        ObjectNode exec = request("guest-exec");
        ObjectNode arguments = exec.putObject("arguments");
        arguments.put("path", "/bin/sh");
        arguments.putArray("arg").add("-c").add(script);
        arguments.put("capture-output", true);
        long pid = execute(exec).path("pid").asLong();
        ObjectNode status = request("guest-exec-status");
        status.putObject("arguments").put("pid", pid);
        JsonNode done = await().atMost(COMMAND_TIMEOUT).pollInterval(Duration.ofMillis(200))
                .until(() -> execute(status), s -> s.path("exited").asBoolean());
        String out = decode(done.path("out-data"));
        if (done.path("exitcode").asInt(-1) != 0) {
            throw new IllegalStateException("'" + script + "' in " + domain + " exited with "
                    + done.path("exitcode") + ": " + decode(done.path("err-data")) + out);
        }
        return out;
    }

    private static ObjectNode request(String command) {
        ObjectNode request = JsonNodeFactory.instance.objectNode();
        request.put("execute", command);
        return request;
    }

    /** The {@code return} of one guest agent command. */
    private JsonNode execute(ObjectNode request) {
        String reply = Virsh.on(libvirtUri, "qemu-agent-command", "--timeout", "10", domain,
                request.toString());
        return AgentJson.mapper().readTree(reply).path("return");
    }

    private static String decode(JsonNode base64) {
        return base64.isMissingNode() ? "" : new String(Base64.getDecoder().decode(base64.asString()),
                StandardCharsets.UTF_8);
    }
}
