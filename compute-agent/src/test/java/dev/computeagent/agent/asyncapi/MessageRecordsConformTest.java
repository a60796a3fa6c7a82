package dev.computeagent.agent.asyncapi;

import static dev.computeagent.agent.asyncapi.AsyncApiDocument.messagePayload;
import static dev.computeagent.agent.asyncapi.AsyncApiDocument.schema;
import static dev.computeagent.agent.asyncapi.AsyncApiDocument.validateJson;
import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.agent.handler.Outcome;
import dev.computeagent.agent.message.AgentJson;
import dev.computeagent.agent.message.CommandArgs;
import dev.computeagent.agent.message.CommandEnvelope;
import dev.computeagent.agent.message.AttachInterfaceArgs;
import dev.computeagent.agent.message.AttachVolumeArgs;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.ConnectionInfoArgs;
import dev.computeagent.agent.message.DetachInterfaceArgs;
import dev.computeagent.agent.message.DetachVolumeArgs;
import dev.computeagent.agent.message.ErrorBody;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.agent.message.EventMessage;
import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.agent.message.MigrateArgs;
import dev.computeagent.agent.message.MigrateVolumeArgs;
import dev.computeagent.agent.message.MigratedInstance;
import dev.computeagent.agent.message.MigrationAbortArgs;
import dev.computeagent.agent.message.MigrationAdoptArgs;
import dev.computeagent.agent.message.MigrationCheckArgs;
import dev.computeagent.agent.message.MigrationPrepareArgs;
import dev.computeagent.agent.migration.ArrivalNotices;
import dev.computeagent.agent.message.MigrationVolumeArgs;
import dev.computeagent.agent.message.MigrationProgressPayload;
import dev.computeagent.agent.message.MigrationResize;
import dev.computeagent.agent.message.MigrationResizeEndArgs;
import dev.computeagent.agent.message.NicArgs;
import dev.computeagent.agent.message.NoArgs;
import dev.computeagent.agent.security.InternalSignature;
import dev.computeagent.agent.security.KeyRing;
import dev.computeagent.agent.message.RebootArgs;
import dev.computeagent.agent.message.RebuildArgs;
import dev.computeagent.agent.message.RescueArgs;
import dev.computeagent.agent.message.ResizeArgs;
import dev.computeagent.agent.message.SecurityRuleArgs;
import dev.computeagent.agent.message.SetSecurityGroupsArgs;
import dev.computeagent.agent.message.SpawnArgs;
import dev.computeagent.agent.testing.SshKeys;
import dev.computeagent.agent.message.SnapshotArgs;
import dev.computeagent.agent.message.StopArgs;
import dev.computeagent.agent.state.InstanceView;
import dev.computeagent.agent.status.HostStatus;
import dev.computeagent.virt.Flavor;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every message record, built in Java and serialised with the agent's wire mapper
 * ({@link AgentJson}), validates against the AsyncAPI document's schema for that message.
 */
class MessageRecordsConformTest {

    private static final ConnectionInfoArgs CHAP = new ConnectionInfoArgs("iscsi", new ConnectionInfoArgs.Data(null,
            null, null, null, "192.0.2.20:3260", "iqn.2010-10.org.openstack:v1", 1, "CHAP", "user-b", "p", null, null,
            null, null));

    private static final JsonMapper WIRE = AgentJson.mapper();
    private static final String UUID = "8a3c7e9e-4b1f-4c55-9d2a-1f0e6c1d2b3a";
    private static final Instant NOW = Instant.parse("2026-11-22T10:00:01.234Z");
    private static final Flavor FLAVOR = new Flavor(2, 2048, 20, 0);

    @Test
    void spawnCommandsFromRecordsConform() {
        SpawnArgs full = new SpawnArgs("web <1> & \"x\"", FLAVOR, "cirros-0.6.2",
                List.of(new NicArgs("network", "default", "52:54:00:12:34:56", "virtio"),
                        new NicArgs("bridge", "br0", null, null), new NicArgs("user", null, null, "e1000")),
                Map.of("owner", "team-a", "<k>", "v & w"),
                Base64.getEncoder().encodeToString("#cloud-config\n".getBytes()),
                Map.of("alice", SshKeys.ED25519, "bob's key", SshKeys.RSA));
        SpawnArgs minimal = new SpawnArgs("tiny", new Flavor(1, 64, 0, 0), "tiny-guest", null, null, null);

        assertConforms("spawnCommand", command("spawn", full));
        assertConforms("spawnCommand", command("spawn", minimal));
        assertConforms("spawnCommand", command("spawn", new SpawnArgs("sg", FLAVOR, "img", null, null, null, null,
                List.of(new SecurityRuleArgs("ingress", "tcp", new SecurityRuleArgs.PortRange(22, 22), "10.0.0.0/8",
                        "IPv4"), new SecurityRuleArgs("egress", "any", null, null, null)))));
        assertConforms("spawnCommand", command("spawn", new SpawnArgs("sg", FLAVOR, "img", null, null, null, null,
                List.of())));
    }

    @Test
    void otherCommandsFromRecordsConform() {
        assertConforms("startCommand", command("start", null));
        assertConforms("startCommand", command("start", NoArgs.INSTANCE));
        assertConforms("deleteCommand", command("delete", null));
        assertConforms("deleteCommand", command("delete", NoArgs.INSTANCE));
        assertConforms("migrateAbortCommand", command("migrate_abort", NoArgs.INSTANCE));
        assertConforms("migrateAbortCommand", command("migrate_abort", null));
        assertConforms("stopCommand", command("stop", new StopArgs(30)));
        assertConforms("stopCommand", command("stop", new StopArgs(null)));
        assertConforms("rebootCommand", command("reboot", new RebootArgs(true, null)));
        assertConforms("rebootCommand", command("reboot", new RebootArgs(null, 300)));
        assertConforms("migrateCommand", command("migrate", new MigrateArgs("node-8", true, null, 300, 600, null)));
        assertConforms("migrateCommand", command("migrate", new MigrateArgs("node-8", false, true, null, null, 120)));
        assertConforms("migrateCommand", command("migrate", new MigrateArgs("node-8", true, null, null, null, null,
                List.of(new MigrateVolumeArgs("vol-1", CHAP)))));
        for (String power : List.of("pause", "unpause", "suspend", "resume")) {
            assertConforms(power + "Command", command(power, null));
            assertConforms(power + "Command", command(power, NoArgs.INSTANCE));
        }
        assertConforms("resizeCommand", command("resize", new ResizeArgs(new Flavor(2, 128, 2, 1), null)));
        assertConforms("resizeCommand", command("resize", new ResizeArgs(FLAVOR, 0)));
        assertConforms("resizeCommand", command("resize", new ResizeArgs(FLAVOR, 30, "node-8")));
        assertConforms("confirmResizeCommand", command("confirm_resize", NoArgs.INSTANCE));
        assertConforms("revertResizeCommand", command("revert_resize", null));
        assertConforms("rescueCommand", command("rescue", new RescueArgs("rescue-image", 30)));
        assertConforms("rescueCommand", command("rescue", new RescueArgs(null, null)));
        assertConforms("unrescueCommand", command("unrescue", NoArgs.INSTANCE));
        assertConforms("rebuildCommand", command("rebuild", new RebuildArgs("debian-13", "I2Nsb3VkLWNvbmZpZwo=",
                Map.of("alice", SshKeys.ED25519), true, 30)));
        assertConforms("rebuildCommand", command("rebuild", new RebuildArgs(null, null, null, null, null)));
        assertConforms("snapshotCommand", command("snapshot", new SnapshotArgs("3f1c2a9e-snap", "web-1 <before>")));
        assertConforms("attachVolumeCommand", command("attach_volume", new AttachVolumeArgs("vol-1", null, null,
                new ConnectionInfoArgs("iscsi", new ConnectionInfoArgs.Data(null, null, null, null, "192.0.2.1:3260",
                        "iqn.2010-10.org.openstack:v1", 1, "CHAP", "u", "p", null, null, null, null)))));
        assertConforms("attachVolumeCommand", command("attach_volume", new AttachVolumeArgs("vol-2", "vdc", true,
                new ConnectionInfoArgs("rbd", new ConnectionInfoArgs.Data(null, null, null, null, null, null, null,
                        null, "cinder", null, "volumes/v2", List.of("192.0.2.5"), List.of("6789"), "key")))));
        assertConforms("detachVolumeCommand", command("detach_volume", new DetachVolumeArgs("vol-1", 30)));
        assertConforms("attachInterfaceCommand", command("attach_interface",
                new AttachInterfaceArgs(new NicArgs("bridge", "br0", null, null))));
        assertConforms("detachInterfaceCommand", command("detach_interface",
                new DetachInterfaceArgs("fa:16:3e:00:00:01", null)));
        assertConforms("setSecurityGroupsCommand", command("set_security_groups", new SetSecurityGroupsArgs(List.of(
                new SecurityRuleArgs("ingress", "icmp", null, "2001:db8::/32", "IPv6")))));
        assertConforms("setSecurityGroupsCommand", command("set_security_groups", new SetSecurityGroupsArgs(List.of())));
    }

    @Test
    void internalCommandsFromRecordsAndTheirSignatureHeadersConform() {
        MigratedInstance instance = new MigratedInstance("web <1>", FLAVOR, "cirros-0.6.2",
                List.of(new NicArgs("network", "default", "52:54:00:12:34:56", "virtio"), new NicArgs("user", null,
                        null, "virtio")), Map.of("owner", "team-a"), "2026-11-22T10:00:00.020Z", "req-6f0d2c1e",
                "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                List.of(new SecurityRuleArgs("ingress", "tcp", new SecurityRuleArgs.PortRange(22, 22), "10.0.0.0/8",
                        null)));
        assertConforms("migrationCheckCommand", command("migration.check",
                new MigrationCheckArgs("node-7", FLAVOR, "cirros-0.6.2", ".shared-storage-probe-1f2e")));
        assertConforms("migrationPrepareCommand", command("migration.prepare", new MigrationPrepareArgs("node-7",
                "web-1", FLAVOR, "cirros-0.6.2", true, 20L << 30, Map.of("k", "v"), true, "AAAA")));
        assertConforms("migrationPrepareCommand", command("migration.prepare", new MigrationPrepareArgs("node-7",
                "web-1", FLAVOR, "cirros-0.6.2", false, null, null, null, null, List.of(new SecurityRuleArgs(
                "ingress", "udp", new SecurityRuleArgs.PortRange(53, 53), "10.0.0.0/8", null)))));
        // the check within the prepare (a live migration that may go over shared storage)
        assertConforms("migrationPrepareCommand", command("migration.prepare", new MigrationPrepareArgs("node-7",
                "web-1", FLAVOR, "cirros-0.6.2", false, null, null, null, null)
                .withSharedStorageProbe(".shared-storage-probe-1f2e")));
        // a live migration's source asks to be told of the claim on arrival
        assertConforms("migrationPrepareCommand", command("migration.prepare", new MigrationPrepareArgs("node-7",
                "web-1", FLAVOR, "cirros-0.6.2", false, null, null, null, null)
                .withSharedStorageProbe(".shared-storage-probe-1f2e")
                .withArrivalNotice("0f0e0d0c-0b0a-4909-8807-060504030201")));
        assertConforms("migrationAdoptCommand", command("migration.adopt",
                new MigrationAdoptArgs("node-7", "req-7a07", instance, true)));
        assertConforms("migrationAdoptCommand", command("migration.adopt",
                new MigrationAdoptArgs("node-7", "req-7a07", null, null)));
        // the source lost track of its post-copy transfer: the destination settles it
        assertConforms("migrationAdoptCommand", command("migration.adopt",
                MigrationAdoptArgs.afterPostCopyFailure("node-7", "req-7a07", false)));
        assertConforms("migrationAdoptCommand", command("migration.adopt",
                MigrationAdoptArgs.afterPostCopyFailure("node-7", "req-7a07", true)));
        assertConforms("migrationAbortCommand", command("migration.abort", new MigrationAbortArgs("node-7", "late")));
        assertConforms("migrationPrepareCommand", command("migration.prepare", new MigrationPrepareArgs("node-7",
                "web-1", FLAVOR, "cirros-0.6.2", false, null, null, null, null, null, null, List.of(
                new MigrationVolumeArgs("vol-1", "vdb", CHAP, "0f0e0d0c-0b0a-4909-8807-060504030201")))));
        // a resize to another host: the new flavor on check, prepare and adopt, and the destination's two ends
        Flavor bigger = new Flavor(4, 4096, 40, 1);
        assertConforms("migrationCheckCommand", command("migration.check",
                new MigrationCheckArgs("node-7", FLAVOR, "cirros-0.6.2", null, bigger)));
        assertConforms("migrationPrepareCommand", command("migration.prepare", new MigrationPrepareArgs("node-7",
                "web-1", FLAVOR, "cirros-0.6.2", true, 20L << 30, null, true, null, null, bigger)));
        assertConforms("migrationAdoptCommand", command("migration.adopt",
                new MigrationAdoptArgs("node-7", "req-7a23", null, true, new MigrationResize(bigger, "req-7a23"))));
        assertConforms("migrationResizeConfirmCommand", command("migration.resize_confirm",
                new MigrationResizeEndArgs("node-8")));
        assertConforms("migrationResizeRevertCommand", command("migration.resize_revert",
                new MigrationResizeEndArgs("node-8")));

        Map<String, Object> headers = new InternalSignature(KeyRing.load(null, "k".repeat(40), "k1", null),
                Clock.systemUTC(), Duration.ofMinutes(15))
                .sign("node-7", "node-8", "amq.rabbitmq.reply-to.x", "c-1", new byte[] {1, 2});
        assertThat(validateJson(schema("InternalCommandHeaders"), WIRE.writeValueAsString(headers))).isEmpty();
    }

    @Test
    void commandLifecycleEventsConformForEveryPublicCommand() {
        InstanceView active = new InstanceView(UUID, "web-1", InstanceState.ACTIVE, "RUNNING", FLAVOR, "cirros-0.6.2",
                "node-7", NOW, null);
        InstanceView failed = new InstanceView(UUID, "web-1", InstanceState.ERROR, "NOSTATE", FLAVOR, "cirros-0.6.2",
                "node-7", NOW, "guest did not boot");
        ErrorBody error = new ErrorBody(ErrorCode.HYPERVISOR_ERROR, "libvirt said no", true);
        for (CommandName name : Arrays.stream(CommandName.values()).filter(c -> !c.internal()).toList()) {
            String prefix = "instance." + name.wireName();
            boolean migrate = name == CommandName.MIGRATE;
            Map<String, Object> payload = new LinkedHashMap<>(Outcome.payloadOf(active));
            if (migrate) {
                payload.put("destination", "node-8");
            }
            assertConforms(migrate ? "instanceMigrateStart" : "instanceActionStart",
                    event(prefix + ".start", "req-1", UUID, payload, null));
            assertConforms(migrate ? "instanceMigrateEnd" : "instanceActionEnd",
                    event(prefix + ".end", "req-1", UUID, payload, null));
            Map<String, Object> errorPayload = new LinkedHashMap<>(Outcome.payloadOf(failed));
            if (migrate) {
                errorPayload.put("destination", "node-8");
            }
            assertConforms(migrate ? "instanceMigrateError" : "instanceActionError",
                    event(prefix + ".error", "req-1", UUID, errorPayload, error));
        }
        assertConforms("instanceActionEnd", event("instance.delete.end", "req-2", UUID, Outcome.deleted().payload(), null));
        Map<String, Object> cancelled = new LinkedHashMap<>(Outcome.payloadOf(active));
        cancelled.put("destination", "node-8");
        cancelled.put("cancelled_request_id", "req-7a07");
        assertConforms("instanceActionEnd", event("instance.migrate_abort.end", "req-4", UUID, cancelled, null));
        Map<String, Object> converged = new LinkedHashMap<>(Outcome.payloadOf(active));
        converged.put("destination", "node-8");
        converged.put("completed_in", "AUTO_CONVERGE");
        converged.put("downtime_ms", 41L);
        assertConforms("instanceMigrateEnd", event("instance.migrate.end", "req-5", UUID, converged, null));
        Map<String, Object> snapshotEnd = new LinkedHashMap<>(Outcome.payloadOf(active));
        snapshotEnd.put("snapshot", Map.of("image_id", "snap-1", "name", "web-1 snap", "size", 1L << 30,
                "checksum", "0".repeat(32), "consistency", "QUIESCED"));
        assertConforms("instanceActionEnd", event("instance.snapshot.end", "req-4", UUID, snapshotEnd, null));
        assertConforms("instanceActionError", event("instance.snapshot.error", "req-5", UUID, Outcome.payloadOf(active),
                new ErrorBody(ErrorCode.IMAGE_UPLOAD_FAILED, "HTTP 503", true)));
        assertConforms("instanceActionStart", event("instance.delete.start", "req-2", UUID, Map.of(), null));
        assertConforms("instanceActionError", event("instance.start.error", "req-3", UUID, Map.of(),
                new ErrorBody(ErrorCode.INSTANCE_NOT_FOUND, "no such instance", false)));
    }

    @Test
    void theArrivalNoticeConformsAsAReply() {
        InstanceView arrived = new InstanceView(UUID, "web-1", InstanceState.ACTIVE, "RUNNING", FLAVOR, "cirros-0.6.2",
                "node-8", NOW, null);

        assertConforms("migrationArrived", event(ArrivalNotices.EVENT, "req-7a07.prepare", UUID,
                Outcome.payloadOf(arrived), null));
        assertThat(validateJson(messagePayload("migrationArrived"), event(ArrivalNotices.EVENT, "req-7a07.prepare",
                UUID, Map.of(), new ErrorBody(ErrorCode.MIGRATION_FAILED, "no", false))))
                .as("only ever a success").isNotEmpty();
    }

    @Test
    void outOfBandEventsConform() {
        InstanceView stopped = new InstanceView(UUID, "web-1", InstanceState.STOPPED, "SHUTDOWN", FLAVOR, "img",
                "node-7", NOW, null);
        Map<String, Object> update = new LinkedHashMap<>(Outcome.payloadOf(stopped));
        update.put("previous_power_state", "RUNNING");
        assertConforms("powerStateUpdate", event("instance.power_state.update", null, UUID, update, null));

        assertConforms("commandRejected", event("command.rejected", null, null,
                Map.of("reason", "body is not JSON", "raw_body", "{nope"),
                new ErrorBody(ErrorCode.INVALID_COMMAND, "body is not JSON", false)));
        assertConforms("commandRejected", event("command.rejected", "req-9", UUID,
                Map.of("reason", "args.flavor.vcpus must be within [1, 64]"),
                new ErrorBody(ErrorCode.INVALID_COMMAND, "args.flavor.vcpus must be within [1, 64]", false)));
        assertConforms("commandRejected", event("command.rejected", null, null,
                Map.of("reason", "the agent failed while reading this message (IllegalStateException)"),
                new ErrorBody(ErrorCode.INTERNAL_ERROR, "the agent failed while reading this message "
                        + "(IllegalStateException)", false)));
    }

    @Test
    void migrationProgressRecordConformsAsEventAndAsRestField() {
        MigrationProgressPayload busy = new MigrationProgressPayload("node-8", "AUTO_CONVERGE", 87, 41_200, 536_870_912,
                2_400_000_000L, 48_000_000, 95_000_000, 14, 500, 0, 0, 0, 60);
        MigrationProgressPayload block = new MigrationProgressPayload("node-8", "DISK_COPY", 12, 1_000, 67_108_864, 0,
                67_108_864, 0, 0, 300, 1_073_741_824, 120_000_000, 953_741_824, 0);
        for (MigrationProgressPayload p : List.of(busy, block)) {
            Map<String, Object> payload = WIRE.convertValue(p, new TypeReference<Map<String, Object>>() { });
            assertConforms("instanceMigrateProgress", event("instance.migrate.progress", "req-1", UUID, payload, null));
            assertThat(validateJson(schema("MigrationProgress"), WIRE.writeValueAsString(p))).isEmpty();
        }
    }

    @Test
    void hostStatusRecordConformsAsHeartbeatAndAsRestBody() {
        HostStatus status = new HostStatus("node-7", "0.1.0-SNAPSHOT",
                new HostStatus.Hypervisor("qemu:///system", "QEMU", "7.2.0", true, "kvm"),
                new HostStatus.Broker(true), new HostStatus.Resources(32, 3, 65_536, 2_560, 900, 120),
                HostStatus.Instances.of(Map.of(InstanceState.ACTIVE, 2L, InstanceState.STOPPED, 1L)),
                new HostStatus.ImageCacheSummary(2, 1 << 30));
        HostStatus neverConnected = new HostStatus("node-7", "unknown",
                new HostStatus.Hypervisor("qemu:///system", null, null, false, null), new HostStatus.Broker(false),
                new HostStatus.Resources(0, 0, 0, 0, 0, 0), HostStatus.Instances.of(Map.of()),
                new HostStatus.ImageCacheSummary(0, 0));

        for (HostStatus s : List.of(status, neverConnected)) {
            Map<String, Object> payload = WIRE.convertValue(s, new TypeReference<Map<String, Object>>() { });
            assertConforms("hostStatus", event("host.status", null, null, payload, null));
            assertThat(validateJson(schema("HostStatus"), WIRE.writeValueAsString(s))).isEmpty();
        }
    }

    private static String command(String name, CommandArgs args) {
        CommandEnvelope envelope = new CommandEnvelope(CommandEnvelope.VERSION, "req-6f0d2c1e", name, UUID, args);
        return WIRE.writeValueAsString(envelope);
    }

    private static String event(String name, String requestId, String uuid, Map<String, Object> payload,
                                ErrorBody error) {
        return WIRE.writeValueAsString(new EventMessage(EventMessage.VERSION, name, "node-7", NOW, requestId, uuid,
                payload, error));
    }

    private static void assertConforms(String message, String json) {
        assertThat(validateJson(messagePayload(message), json)).as(message + ": " + json).isEmpty();
    }
}
