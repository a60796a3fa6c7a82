package dev.computeagent.agent.testing;

import static org.awaitility.Awaitility.await;

import dev.computeagent.agent.message.AgentJson;
import dev.computeagent.virt.libvirt.testing.Virsh;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Runs a command inside a real guest through its QEMU guest agent ({@code guest-exec} and
 * {@code guest-exec-status} sent with {@code virsh qemu-agent-command}), from outside the agent under
 * test: a second, independent look at what the guest did.
 */
public final class GuestExec {

    /** What a command in the guest did. */
    public record Result(int exitCode, String stdout, String stderr) {
    }

    private GuestExec() {
    }

    /** Runs {@code script} with {@code /bin/sh -c} in the domain's guest, waiting at most {@code timeout}. */
    public static Result sh(String domain, String script, Duration timeout) {
        ObjectNode exec = AgentJson.mapper().createObjectNode().put("execute", "guest-exec");
        ObjectNode arguments = exec.putObject("arguments").put("path", "/bin/sh").put("capture-output", true);
        arguments.putArray("arg").add("-c").add(script);
        long pid = command(domain, exec.toString()).path("return").path("pid").asLong();
        String status = "{\"execute\":\"guest-exec-status\",\"arguments\":{\"pid\":" + pid + "}}";
        AtomicReference<JsonNode> done = new AtomicReference<>();
        await().atMost(timeout).pollInterval(Duration.ofMillis(250)).until(() -> {
            JsonNode answer = command(domain, status).path("return");
            done.set(answer);
            return answer.path("exited").asBoolean();
        });
        JsonNode answer = done.get();
        return new Result(answer.path("exitcode").asInt(-1), decode(answer.path("out-data")),
                decode(answer.path("err-data")));
    }

    /** {@link #sh} that must succeed; its standard output. */
    public static String output(String domain, String script, Duration timeout) {
        Result result = sh(domain, script, timeout);
        if (result.exitCode() != 0) {
            throw new AssertionError("'" + script + "' in " + domain + " exited " + result.exitCode() + ": "
                    + result.stderr());
        }
        return result.stdout();
    }

    private static JsonNode command(String domain, String json) {
        return AgentJson.mapper().readTree(Virsh.run("qemu-agent-command", domain,
                json));
    }

    private static String decode(JsonNode base64) {
        return base64.isString()
                ? new String(Base64.getDecoder().decode(base64.asString()), StandardCharsets.UTF_8) : "";
    }
}
