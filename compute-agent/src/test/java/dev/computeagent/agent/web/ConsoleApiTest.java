package dev.computeagent.agent.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.agent.state.InstanceFiles;
import dev.computeagent.agent.state.InstanceView;
import dev.computeagent.agent.web.support.AgentWebContextTest;
import dev.computeagent.virt.Flavor;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** {@code GET /v1/instances/{uuid}/console}: the tail of the serial console log, bounded and printable. */
class ConsoleApiTest extends AgentWebContextTest {

    private final UUID uuid = UUID.randomUUID();

    @Autowired
    private InstanceFiles files;

    @BeforeEach
    void oneInstance() {
        instanceViews.setInstances(List.of(new InstanceView(uuid.toString(), "console", InstanceState.ACTIVE,
                "RUNNING", new Flavor(1, 64, 1, 0), "tiny", "web-test-host", Instant.now(), null)));
    }

    private Path writeLog(byte[] bytes) throws Exception {
        Path log = files.consoleLog(uuid);
        Files.createDirectories(log.getParent());
        return Files.write(log, bytes);
    }

    @Test
    void theLastLinesComeAsTextWithBinaryAndEscapesMadePrintable() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        for (int i = 1; i <= 150; i++) {
            log.writeBytes(("TICK " + i + "\r\n").getBytes(StandardCharsets.US_ASCII));
        }
        log.writeBytes(new byte[] {'b', 'i', 'n', (byte) 0xff, (byte) 0xc3, 0x00, 0x1b, '[', '3', '1', 'm', '\n'});
        writeLog(log.toByteArray());

        HttpResponse<String> three = get("/v1/instances/" + uuid + "/console?lines=3");
        assertThat(three.statusCode()).isEqualTo(200);
        assertThat(contentType(three)).isEqualTo("text/plain;charset=UTF-8");
        assertThat(three.body()).isEqualTo("TICK 149\nTICK 150\nbin\uFFFD\uFFFD\uFFFD\uFFFD[31m\n");

        HttpResponse<String> byDefault = get("/v1/instances/" + uuid + "/console");
        assertThat(byDefault.body().lines()).hasSize(ConsoleController.DEFAULT_LINES).first().isEqualTo("TICK 52");
    }

    @Test
    void aHugeLogIsReadOnlyFromItsEndAndTheCutLineIsDropped() throws Exception {
        StringBuilder log = new StringBuilder();
        for (int i = 0; log.length() < 4 * ConsoleTail.MAX_BYTES; i++) {
            log.append("line ").append(i).append(" ").append("x".repeat(90)).append('\n');
        }
        writeLog(log.toString().getBytes(StandardCharsets.US_ASCII));

        String body = get("/v1/instances/" + uuid + "/console?lines=1000").body();

        assertThat(body.length()).isLessThanOrEqualTo(ConsoleTail.MAX_BYTES);
        assertThat(body.lines()).allMatch(line -> line.matches("line \\d+ x{90}"));
        assertThat(log.toString()).endsWith(body);
    }

    @Test
    void noOutputYetIsEmptyAnUnknownInstanceIs404AndABadLineCount400() throws Exception {
        Files.deleteIfExists(files.consoleLog(uuid));
        HttpResponse<String> empty = get("/v1/instances/" + uuid + "/console");
        assertThat(empty.statusCode()).isEqualTo(200);
        assertThat(empty.body()).isEmpty();

        HttpResponse<String> unknown = get("/v1/instances/" + UUID.randomUUID() + "/console");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(contentType(unknown)).startsWith("application/problem+json");

        for (String lines : List.of("0", "1001", "many")) {
            HttpResponse<String> bad = get("/v1/instances/" + uuid + "/console?lines=" + lines);
            assertThat(bad.statusCode()).as(lines).isEqualTo(400);
            assertThat(contentType(bad)).as(lines).startsWith("application/problem+json");
        }
    }
}
