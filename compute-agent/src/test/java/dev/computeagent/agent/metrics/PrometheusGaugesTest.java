package dev.computeagent.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.agent.state.InstanceView;
import dev.computeagent.agent.web.support.AgentWebContextTest;
import dev.computeagent.image.CacheStatistics;
import dev.computeagent.virt.Flavor;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** {@code /actuator/prometheus} carries the image-cache statistics and the instance counts by state. */
class PrometheusGaugesTest extends AgentWebContextTest {

    @Autowired
    ImageCacheMetrics imageCacheMetrics;

    @Test
    void cacheStatisticsAppearAsGaugesAndCountersWithRefusalsByReason() {
        imageCache.setStatistics(new CacheStatistics(3, 4096, 11, 4, 3, 3_000_000,
                Map.of("UNSAFE", 2L, "CHECKSUM_MISMATCH", 1L)));

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            imageCacheMetrics.refreshRefusalReasons(); // what the scheduled refresh does
            String scrape = get("/actuator/prometheus").body();
            assertSeries(scrape, "agent_image_cache_images", "", 3);
            assertSeries(scrape, "agent_image_cache_size_bytes", "", 4096);
            assertSeries(scrape, "agent_image_cache_hits_total", "", 11);
            assertSeries(scrape, "agent_image_cache_misses_total", "", 4);
            assertSeries(scrape, "agent_image_cache_downloads_total", "", 3);
            assertSeries(scrape, "agent_image_cache_downloaded_bytes_total", "", 3_000_000);
            assertSeries(scrape, "agent_image_cache_refusals_total", "reason=\"UNSAFE\"", 2);
            assertSeries(scrape, "agent_image_cache_refusals_total", "reason=\"CHECKSUM_MISMATCH\"", 1);
        });
    }

    @Test
    void instanceCountsAppearPerStateIncludingZeroes() {
        Flavor flavor = new Flavor(1, 128, 1, 0);
        Instant now = Instant.parse("2026-11-22T10:00:00Z");
        instanceViews.setInstances(List.of(
                new InstanceView("00000000-0000-4000-8000-000000000001", "a", InstanceState.ACTIVE, "RUNNING",
                        flavor, "img", "web-test-host", now, null),
                new InstanceView("00000000-0000-4000-8000-000000000002", "b", InstanceState.ACTIVE, "RUNNING",
                        flavor, "img", "web-test-host", now, null),
                new InstanceView("00000000-0000-4000-8000-000000000003", "c", InstanceState.ERROR, "NOSTATE",
                        flavor, "img", "web-test-host", now, "boom")));

        String scrape = get("/actuator/prometheus").body();

        assertSeries(scrape, "agent_instances", "state=\"ACTIVE\"", 2);
        assertSeries(scrape, "agent_instances", "state=\"ERROR\"", 1);
        for (String state : List.of("BUILDING", "STOPPED", "MIGRATING", "DELETED")) {
            assertSeries(scrape, "agent_instances", "state=\"" + state + "\"", 0);
        }
    }

    /** One series line {@code name{...label...} value}; other labels (common tags) may be present. */
    private static void assertSeries(String scrape, String name, String label, double value) {
        String labels = label.isEmpty() ? "(\\{[^}]*\\})?" : "\\{[^}]*" + Pattern.quote(label) + "[^}]*\\}";
        Pattern series = Pattern.compile("^" + Pattern.quote(name) + labels + " (\\S+)$", Pattern.MULTILINE);
        var matcher = series.matcher(scrape);
        assertThat(matcher.find()).as(name + " " + label + " in scrape").isTrue();
        assertThat(Double.parseDouble(matcher.group(matcher.groupCount()))).as(name + " " + label).isEqualTo(value);
    }
}
