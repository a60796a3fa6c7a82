package dev.computeagent.agent.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.computeagent.agent.testing.ConfigDrives;
import dev.computeagent.virt.libvirt.testing.Virsh;
import dev.computeagent.virt.testing.RealGuestImage;
import dev.computeagent.virt.testing.TinyGuestImage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * In-guest proof of {@code rebuild}: an instance spawned from the tiny guest (with user data the tiny guest cannot
 * run) is rebuilt from the real Debian image ({@link RealGuestImage}) with new user data, and cloud-init in the
 * rebuilt guest runs that user data from the rebuilt config drive: its marker appears on the serial console. The
 * Debian guest boots once (a minute or more under TCG); the MAC it sees stays the one the instance had.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealGuestRebuildLibvirtRabbitMqTest {

    private static final Duration BOOT = Duration.ofMinutes(10);
    private static final Duration COMMAND = Duration.ofMinutes(5);
    private static final String IMAGE = "debian-12";

    private final String uuid = UUID.randomUUID().toString();
    private final String marker = "REBUILT-GUEST-USER-DATA " + uuid;
    private AgentFixture fx;

    @BeforeAll
    void start() throws Exception {
        ConfigDrives.requireGenisoimage();
        fx = new AgentFixture();
        fx.glance.addImage(IMAGE, RealGuestImage.path()).diskFormat("qcow2");
        fx.startAgent(Map.of("agent.libvirt.virt-type", RealGuestImage.VIRT_TYPE));
    }

    @AfterAll
    void stop() throws Exception {
        if (fx != null) {
            fx.close();
        }
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private String mac() {
        Matcher mac = Pattern.compile("<mac address='([0-9a-f:]{17})'/>")
                .matcher(Virsh.run("dumpxml", "instance-" + uuid));
        assertThat(mac.find()).isTrue();
        return mac.group(1);
    }

    @Test
    void theRebuiltGuestRunsTheNewUserDataFromItsRebuiltConfigDrive() throws Exception {
        JsonNode spawned = fx.call(uuid, "spawn", "{\"name\":\"rebuilt\",\"flavor\":{\"vcpus\":1,\"memory_mb\":512,"
                + "\"root_gb\":3},\"image_id\":\"" + AgentFixture.TINY + "\",\"nics\":[{\"type\":\"user\"}],"
                + "\"user_data\":\"" + base64("#!/bin/sh\necho 'the old user data' > /dev/ttyS0\n") + "\"}", COMMAND);
        assertThat(spawned.path("event").asString()).as(spawned.toString()).isEqualTo("instance.spawn.end");
        await().atMost(BOOT).until(() -> fx.console(uuid).contains(TinyGuestImage.BOOT_MARKER));
        String mac = mac();

        long published = System.nanoTime();
        JsonNode rebuilt = fx.call(uuid, "rebuild", "{\"image_id\":\"" + IMAGE + "\",\"user_data\":\""
                + base64("#!/bin/sh\necho '" + marker + "' > /dev/ttyS0\n") + "\",\"timeout_s\":0}", COMMAND);
        assertThat(rebuilt.path("event").asString()).as(rebuilt.toString()).isEqualTo("instance.rebuild.end");
        assertThat(rebuilt.path("payload").path("image_id").asString()).isEqualTo(IMAGE);
        long ended = System.nanoTime();
        await().atMost(BOOT).pollInterval(Duration.ofSeconds(2)).until(() -> fx.console(uuid).contains(marker));
        System.out.printf("rebuild published -> rebuild.end: %d ms; rebuild.end -> user_data marker: %d ms%n",
                (ended - published) / 1_000_000, (System.nanoTime() - ended) / 1_000_000);
        assertThat(mac()).isEqualTo(mac);

        JsonNode deleted = fx.call(uuid, "delete", "{}", COMMAND);
        assertThat(deleted.path("event").asString()).as(deleted.toString()).isEqualTo("instance.delete.end");
    }
}
