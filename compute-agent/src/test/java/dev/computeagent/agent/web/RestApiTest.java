package dev.computeagent.agent.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.agent.message.MigrationProgressPayload;
import dev.computeagent.agent.state.InstanceView;
import dev.computeagent.agent.web.support.AgentWebContextTest;
import dev.computeagent.image.CacheStatistics;
import dev.computeagent.image.CachedImage;
import dev.computeagent.image.ImageDownloadException;
import dev.computeagent.virt.AddressSource;
import dev.computeagent.virt.DiskSpec;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.InstanceMetadata;
import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.IpAddress;
import dev.computeagent.virt.NicSpec;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The REST API (docs/architecture.md, "Contracts") over a real port, with the fake driver and stub collaborators. */
class RestApiTest extends AgentWebContextTest {

    private static final String ACTIVE_UUID = "8a3c7e9e-4b1f-4c55-9d2a-1f0e6c1d2b3a";
    private static final String STOPPED_UUID = "0b7c1d2e-3f40-4a5b-8c6d-7e8f9a0b1c2d";

    private static InstanceView view(String uuid, String name, InstanceState state, String power, int vcpus,
                                     long memoryMb, Instant created, String lastError) {
        return new InstanceView(uuid, name, state, power, new Flavor(vcpus, memoryMb, 1, 0), "cirros-0.6",
                "web-test-host", created, lastError);
    }

    private void twoInstances() {
        instanceViews.setInstances(List.of(
                view(STOPPED_UUID, "second", InstanceState.STOPPED, "SHUTDOWN", 1, 256,
                        Instant.parse("2026-11-22T10:05:00Z"), "guest did not stop in time"),
                view(ACTIVE_UUID, "first", InstanceState.ACTIVE, "RUNNING", 2, 512,
                        Instant.parse("2026-11-22T10:00:01.234Z"), null)));
    }

    @Test
    void statusHasExactlyTheContractFieldsWithValuesFromDriverCacheAndDirectory() {
        twoInstances();
        imageCache.setStatistics(new CacheStatistics(3, 123_456_789, 5, 3, 3, 123_456_789, Map.of()));

        HttpResponse<String> response = get("/v1/status");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(contentType(response)).startsWith("application/json");
        JsonNode body = json(response);
        assertThat(fieldNames(body)).containsExactlyInAnyOrder(
                "host", "agent_version", "hypervisor", "broker", "resources", "instances", "image_cache");
        assertThat(body.get("host").asString()).isEqualTo("web-test-host");
        assertThat(body.get("agent_version").asString()).isNotBlank();

        JsonNode hypervisor = body.get("hypervisor");
        assertThat(fieldNames(hypervisor)).contains("uri", "type", "version", "connected");
        assertThat(hypervisor.get("uri").asString()).isEqualTo("fake:///default");
        assertThat(hypervisor.get("type").asString()).isEqualTo("FAKE");
        assertThat(hypervisor.get("version").asString()).isEqualTo("1.0.0");
        assertThat(hypervisor.get("connected").asBoolean()).isTrue();

        assertThat(body.get("broker").get("connected").asBoolean()).as("broker on port 1 is down").isFalse();

        JsonNode resources = body.get("resources");
        assertThat(fieldNames(resources)).containsExactlyInAnyOrder(
                "vcpus", "vcpus_used", "memory_mb", "memory_mb_used", "disk_gb", "disk_gb_used");
        assertThat(resources.get("vcpus").asInt()).isEqualTo(8);
        assertThat(resources.get("vcpus_used").asInt()).isEqualTo(3);
        assertThat(resources.get("memory_mb").asLong()).isEqualTo(16_384);
        assertThat(resources.get("memory_mb_used").asLong()).isEqualTo(768);
        assertThat(resources.get("disk_gb").asLong()).isPositive();
        assertThat(resources.get("disk_gb_used").asLong()).isBetween(0L, resources.get("disk_gb").asLong());

        JsonNode instances = body.get("instances");
        assertThat(instances.get("total").asLong()).isEqualTo(2);
        assertThat(instances.get("ACTIVE").asLong()).isEqualTo(1);
        assertThat(instances.get("STOPPED").asLong()).isEqualTo(1);
        for (String state : List.of("BUILDING", "MIGRATING", "ERROR", "DELETED")) {
            assertThat(instances.get(state).asLong()).as(state).isZero();
        }

        assertThat(body.get("image_cache").get("images").asLong()).isEqualTo(3);
        assertThat(body.get("image_cache").get("bytes").asLong()).isEqualTo(123_456_789);
    }

    @Test
    void statusStillAnswersWhenTheHypervisorIsDisconnected() {
        get("/v1/status"); // the driver was seen once: its identity is remembered
        driver.setConnected(false);

        HttpResponse<String> response = get("/v1/status");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode hypervisor = json(response).get("hypervisor");
        assertThat(hypervisor.get("connected").asBoolean()).isFalse();
        assertThat(hypervisor.get("type").asString()).isEqualTo("FAKE");
        assertThat(json(response).get("resources").get("vcpus").asInt()).isEqualTo(8);
    }

    @Test
    void instancesListsEveryInstanceWithTheContractFieldsOldestFirst() {
        twoInstances();

        HttpResponse<String> response = get("/v1/instances");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode list = json(response);
        assertThat(list.isArray()).isTrue();
        assertThat(list.size()).isEqualTo(2);
        assertThat(list.get(0).get("uuid").asString()).isEqualTo(ACTIVE_UUID);
        assertThat(list.get(1).get("uuid").asString()).isEqualTo(STOPPED_UUID);
        for (JsonNode instance : list) {
            assertThat(fieldNames(instance)).containsExactlyInAnyOrder("uuid", "name", "state", "power_state",
                    "flavor", "image_id", "host", "created_at", "last_error");
        }
    }

    @Test
    void instanceByUuidHasItsFieldsWithIsoTimestampAndNullLastError() {
        twoInstances();

        HttpResponse<String> response = get("/v1/instances/" + ACTIVE_UUID);

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode instance = json(response);
        assertThat(instance.get("name").asString()).isEqualTo("first");
        assertThat(instance.get("state").asString()).isEqualTo("ACTIVE");
        assertThat(instance.get("power_state").asString()).isEqualTo("RUNNING");
        assertThat(instance.get("flavor").get("vcpus").asInt()).isEqualTo(2);
        assertThat(instance.get("flavor").get("memory_mb").asLong()).isEqualTo(512);
        assertThat(instance.get("image_id").asString()).isEqualTo("cirros-0.6");
        assertThat(instance.get("host").asString()).isEqualTo("web-test-host");
        assertThat(instance.get("created_at").asString()).isEqualTo("2026-11-22T10:00:01.234Z");
        assertThat(instance.get("last_error").isNull()).isTrue();
        assertThat(json(get("/v1/instances/" + STOPPED_UUID)).get("last_error").asString())
                .isEqualTo("guest did not stop in time");
    }

    @Test
    void oneInstanceSaysWhetherItsGuestAgentAnswersAndTheListDoesNotAsk() {
        // uuids of their own: the probe gives an answer again for 5 s, and other tests ask about theirs
        String agentUuid = UUID.randomUUID().toString();
        String noAgentUuid = UUID.randomUUID().toString();
        instanceViews.setInstances(List.of(
                view(agentUuid, "first", InstanceState.ACTIVE, "RUNNING", 2, 512, Instant.parse("2026-11-22T10:00:00Z"),
                        null),
                view(noAgentUuid, "second", InstanceState.ACTIVE, "RUNNING", 2, 512,
                        Instant.parse("2026-11-22T10:05:00Z"), null)));
        driver.setCheckDiskFiles(false);
        InstanceSpec withAgent = new InstanceSpec(UUID.fromString(agentUuid), new InstanceMetadata("first",
                new Flavor(2, 512, 1, 0), "cirros-0.6", "web-test-host", Map.of(), Map.of()),
                List.of(DiskSpec.qcow2Root(Path.of("/nonexistent/disk"))), List.of(),
                Path.of("/nonexistent/console.log"), false, true);
        InstanceSpec without = new InstanceSpec(UUID.fromString(noAgentUuid), withAgent.metadata(), withAgent.disks(),
                List.of(), withAgent.consoleLog(), false);
        driver.spawn(withAgent);
        driver.spawn(without);
        try {
            assertThat(json(get("/v1/instances/" + agentUuid)).get("guest_agent").asString()).isEqualTo("RESPONSIVE");
            assertThat(json(get("/v1/instances/" + noAgentUuid)).get("guest_agent").asString())
                    .isEqualTo("NOT_CONFIGURED");
            assertThat(json(get("/v1/instances")).get(0).has("guest_agent")).isFalse();
        } finally {
            driver.destroy(withAgent.uuid());
            driver.destroy(without.uuid());
            driver.setCheckDiskFiles(true);
        }
    }


    @Test
    void instanceByUuidShowsEachNicWithItsMacAndIpAddressesButTheListDoesNot() {
        twoInstances();
        UUID uuid = UUID.fromString(ACTIVE_UUID);
        driver.setCheckDiskFiles(false);
        driver.spawn(new InstanceSpec(uuid, new InstanceMetadata("first", new Flavor(2, 512, 1, 0), "cirros-0.6",
                "web-test-host", Map.of(), Map.of()), List.of(DiskSpec.qcow2Root(Path.of("/nowhere/disk"))),
                List.of(new NicSpec(NicSpec.Type.NETWORK, Optional.of("tenant"), Optional.of("52:54:00:ab:32:40"),
                        "virtio"), NicSpec.user()), Path.of("/nowhere/console.log"), false));
        try {
            driver.reportAddresses(uuid, "52:54:00:ab:32:40", AddressSource.LEASE,
                    List.of(new IpAddress("10.231.77.48", 24)));
            driver.reportAddresses(uuid, "52:54:00:ab:32:40", AddressSource.GUEST_AGENT,
                    List.of(new IpAddress("10.231.77.48", 24), new IpAddress("fe80::5054:ff:feab:3240", 64)));

            JsonNode instance = json(get("/v1/instances/" + ACTIVE_UUID));

            assertThat(fieldNames(instance)).containsExactlyInAnyOrder("uuid", "name", "state", "power_state",
                    "flavor", "image_id", "host", "created_at", "last_error", "interfaces", "guest_agent", "migration");
            JsonNode nics = instance.get("interfaces");
            assertThat(nics.size()).isEqualTo(2);
            JsonNode first = nics.get(0);
            assertThat(fieldNames(first)).containsExactlyInAnyOrder("mac", "model", "type", "source", "interface_name",
                    "ip_address", "ip_addresses", "info_source");
            assertThat(first.get("mac").asString()).isEqualTo("52:54:00:ab:32:40");
            assertThat(first.get("model").asString()).isEqualTo("virtio");
            assertThat(first.get("type").asString()).isEqualTo("network");
            assertThat(first.get("source").asString()).isEqualTo("tenant");
            assertThat(first.get("interface_name").asString()).isEqualTo("eth0");
            assertThat(first.get("ip_address").asString()).isEqualTo("10.231.77.48");
            assertThat(strings(first.get("ip_addresses"))).containsExactly("10.231.77.48", "fe80::5054:ff:feab:3240");
            assertThat(strings(first.get("info_source"))).containsExactly("lease", "guest-agent");
            JsonNode second = nics.get(1);
            assertThat(second.get("type").asString()).isEqualTo("user");
            assertThat(second.get("source").isNull()).isTrue();
            assertThat(second.get("mac").asString()).matches("[0-9a-f]{2}(:[0-9a-f]{2}){5}");
            assertThat(second.get("ip_address").isNull()).isTrue();
            assertThat(second.get("ip_addresses").size()).isZero();
            assertThat(second.get("info_source").size()).isZero();
            assertThat(json(get("/v1/instances")).get(0).has("interfaces")).as("asked per instance only").isFalse();

            driver.setConnected(false);
            JsonNode disconnected = json(get("/v1/instances/" + ACTIVE_UUID));
            assertThat(disconnected.get("interfaces").isNull()).as("unknown while the hypervisor is away").isTrue();
            assertThat(disconnected.get("state").asString()).isEqualTo("ACTIVE");
        } finally {
            driver.setConnected(true);
            driver.destroy(uuid);
            driver.setCheckDiskFiles(true);
        }
    }

    @Test
    void aGuestAgentThatCannotBeAskedIsUnknown() {
        String unknownToTheDriver = UUID.randomUUID().toString();
        instanceViews.setInstances(List.of(view(unknownToTheDriver, "ghost", InstanceState.ACTIVE, "RUNNING", 1,
                64, Instant.parse("2026-11-22T10:00:00Z"), null)));

        JsonNode instance = json(get("/v1/instances/" + unknownToTheDriver));

        assertThat(instance.get("guest_agent").asString()).isEqualTo("UNKNOWN");
        assertThat(instance.get("name").asString()).isEqualTo("ghost");
    }

    @Test
    void oneInstanceShowsItsMigrationProgressOnlyWhileItMigrates() {
        twoInstances();
        UUID uuid = UUID.fromString(ACTIVE_UUID);
        assertThat(json(get("/v1/instances/" + ACTIVE_UUID)).get("migration").isNull()).isTrue();

        migrations.show(uuid, new MigrationProgressPayload("node-8", "MEMORY_COPY", 42, 3100, 536_870_912,
                225_000_000, 311_870_912, 12_000_000, 2, 350, 0, 0, 0, 0));
        try {
            JsonNode migration = json(get("/v1/instances/" + ACTIVE_UUID)).get("migration");
            assertThat(fieldNames(migration)).containsExactlyInAnyOrder("destination", "phase", "percent", "elapsed_ms",
                    "memory_total_bytes", "memory_processed_bytes", "memory_remaining_bytes",
                    "dirty_rate_bytes_per_second", "iteration", "downtime_limit_ms", "disk_total_bytes",
                    "disk_processed_bytes", "disk_remaining_bytes", "cpu_throttle_percent");
            assertThat(migration.get("percent").asInt()).isEqualTo(42);
            assertThat(migration.get("phase").asString()).isEqualTo("MEMORY_COPY");
            assertThat(migration.get("memory_remaining_bytes").asLong()).isEqualTo(311_870_912L);
            assertThat(json(get("/v1/instances/" + STOPPED_UUID)).get("migration").isNull()).isTrue();
        } finally {
            migrations.clear(uuid);
        }
        assertThat(json(get("/v1/instances/" + ACTIVE_UUID)).get("migration").isNull()).isTrue();
    }

    @Test
    void upperCaseUuidFindsTheSameInstance() {
        twoInstances();

        HttpResponse<String> response = get("/v1/instances/" + ACTIVE_UUID.toUpperCase());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).get("uuid").asString()).isEqualTo(ACTIVE_UUID);
    }

    @Test
    void unknownUuidIsA404Problem() {
        twoInstances();

        HttpResponse<String> response = get("/v1/instances/11111111-2222-4333-8444-555555555555");

        assertProblem(response, 404);
        assertThat(json(response).get("title").asString()).isEqualTo("Instance not found");
        assertThat(json(response).get("detail").asString()).contains("11111111-2222-4333-8444-555555555555");
    }

    @Test
    void malformedUuidIsA404ProblemToo() {
        for (String bad : List.of("not-a-uuid", "8a3c7e9e4b1f4c559d2a1f0e6c1d2b3a", "1-2-3-4-5", "%3Cscript%3E")) {
            HttpResponse<String> response = get("/v1/instances/" + bad);
            assertProblem(response, 404);
        }
    }

    @Test
    void imagesListsCachedBasesWithContractFieldsAndNoPath() {
        imageCache.setImages(List.of(
                new CachedImage("zeta", Path.of("/var/lib/compute-agent/_base/zeta"), "raw", 1 << 20, 1 << 20,
                        Instant.parse("2026-11-22T09:00:00Z"), false),
                new CachedImage("alpha", Path.of("/var/lib/compute-agent/_base/alpha"), "raw", 2 << 20, 2 << 20,
                        Instant.parse("2026-11-22T09:30:00Z"), true)));

        HttpResponse<String> response = get("/v1/images");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode list = json(response);
        assertThat(list.size()).isEqualTo(2);
        JsonNode first = list.get(0);
        assertThat(fieldNames(first)).containsExactlyInAnyOrder("image_id", "bytes", "last_used", "in_use");
        assertThat(first.get("image_id").asString()).isEqualTo("alpha");
        assertThat(first.get("bytes").asLong()).isEqualTo(2 << 20);
        assertThat(first.get("last_used").asString()).isEqualTo("2026-11-22T09:30:00Z");
        assertThat(first.get("in_use").asBoolean()).isTrue();
        assertThat(list.get(1).get("in_use").asBoolean()).isFalse();
        assertThat(response.body()).doesNotContain("_base");
    }

    @Test
    void problemStaysProblemJsonForAClientThatAcceptsJson() {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/v1/instances/not-a-uuid"))
                .header("Accept", "application/json").GET());

        assertProblem(response, 404);
    }

    @Test
    void everyErrorStaysProblemJsonForAClientThatAcceptsOnlyJson() {
        for (String path : List.of("/v1/instances/8a3c7e9e-4b1f-4c55-9d2a-1f0e6c1d2b3a", "/v1/flavors")) {
            assertProblem(send(HttpRequest.newBuilder(uri(path)).header("Accept", "application/json").GET()), 404);
        }
        assertProblem(send(HttpRequest.newBuilder(uri("/v1/instances")).header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).header("Content-Type", "application/json")), 405);
        imageCache.failListing(new ImageDownloadException("store unreachable", null));
        assertProblem(send(HttpRequest.newBuilder(uri("/v1/images")).header("Accept", "application/json").GET()), 503);
        instanceViews.fail(new IllegalStateException("journal corrupt"));
        assertProblem(send(HttpRequest.newBuilder(uri("/v1/instances")).header("Accept", "application/json").GET()), 500);
    }

    @Test
    void unknownPathIsA404Problem() {
        assertProblem(get("/v1/flavors"), 404);
    }

    @Test
    void writeMethodIsA405Problem() {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/v1/instances"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).header("Content-Type", "application/json"));

        assertProblem(response, 405);
    }

    @Test
    void unexpectedFailureIsA500ProblemThatHidesTheCause() {
        instanceViews.fail(new IllegalStateException("journal corrupt at /var/lib/secret-path"));

        HttpResponse<String> response = get("/v1/instances");

        assertProblem(response, 500);
        assertThat(response.body()).doesNotContain("journal corrupt").doesNotContain("secret-path")
                .doesNotContain("IllegalStateException");
    }

    @Test
    void unlistableImageCacheIsA503Problem() {
        imageCache.failListing(new ImageDownloadException("store unreachable", null));

        assertProblem(get("/v1/images"), 503);
    }

    private void assertProblem(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.uri() + " " + response.body()).isEqualTo(status);
        assertThat(contentType(response)).as(response.uri().toString()).startsWith("application/problem+json");
        JsonNode problem = json(response);
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("title").asString()).isNotBlank();
    }

    private static List<String> strings(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asString).toList();
    }

    private static Set<String> fieldNames(JsonNode node) {
        return Set.copyOf(StreamSupport.stream(node.propertyNames().spliterator(), false).toList());
    }
}
