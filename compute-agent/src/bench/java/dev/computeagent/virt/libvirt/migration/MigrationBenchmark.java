package dev.computeagent.virt.libvirt.migration;

import dev.computeagent.virt.libvirt.LibvirtComputeDriver;
import dev.computeagent.virt.libvirt.LibvirtDriverSettings;
import dev.computeagent.virt.libvirt.designer.VirtType;
import dev.computeagent.virt.libvirt.domain.DomainNames;
import dev.computeagent.virt.libvirt.testing.TwoLibvirtHosts;
import dev.computeagent.virt.migration.CompletedMigration;
import dev.computeagent.virt.migration.MigrationRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.awaitility.Awaitility;

/**
 * Live migration of one idle tiny guest on shared storage between the two harness hosts, through
 * {@link LibvirtMigrationDriver} and through plain {@code virsh migrate --live --p2p --persistent
 * --undefinesource} in the same run, alternating, there and back. Wall time is measured around the
 * call; downtime and job time come from the destination's completed-job statistics for both.
 *
 * <p>Run (root, libvirt, bindfs): {@code ./mvnw -q -pl compute-agent test-compile exec:java
 * -Dexec.classpathScope=test -Dexec.mainClass=dev.computeagent.virt.libvirt.migration.MigrationBenchmark
 * [-Dexec.args="<rounds> <kvm|qemu> [<monitor poll ms>]"]}
 */
public final class MigrationBenchmark {

    private MigrationBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        VirtType type = args.length > 1 ? VirtType.valueOf(args[1].toUpperCase(Locale.ROOT)) : VirtType.detect();
        Duration poll = args.length > 2 ? Duration.ofMillis(Long.parseLong(args[2])) : MigrationRequest.DEFAULT_POLL_INTERVAL;
        TwoLibvirtHosts hosts = new TwoLibvirtHosts();
        hosts.beforeAll(null);
        try (LibvirtComputeDriver a = LibvirtComputeDriver.connect(LibvirtDriverSettings.defaults(hosts.a().unixUri(), type));
             LibvirtComputeDriver b = LibvirtComputeDriver.connect(LibvirtDriverSettings.defaults(hosts.b().unixUri(), type));
             LibvirtMigrationDriver migratorA = new LibvirtMigrationDriver(a);
             LibvirtMigrationDriver migratorB = new LibvirtMigrationDriver(b)) {
            UUID uuid = UUID.randomUUID();
            Path dir = hosts.sharedDir();
            Path log = MigrationGuests.consoleLog(dir, uuid);
            a.spawn(MigrationGuests.spec(uuid, MigrationGuests.overlay(dir, uuid), log));
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> ConsoleTicks.read(log).last() >= 1);
            boolean unsafe = !hosts.sharedStorageRecognised();
            List<long[]> driver = new ArrayList<>();
            List<long[]> virsh = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                for (boolean there : new boolean[] {true, false}) {
                    TwoLibvirtHosts.Host source = there ? hosts.a() : hosts.b();
                    TwoLibvirtHosts.Host destination = there ? hosts.b() : hosts.a();
                    LibvirtMigrationDriver from = there ? migratorA : migratorB;
                    LibvirtMigrationDriver to = there ? migratorB : migratorA;
                    boolean viaVirsh = round % 2 == 1;
                    long start = System.nanoTime();
                    if (viaVirsh) {
                        List<String> command = new ArrayList<>(List.of("virsh", "-q", "-c", source.unixUri(), "migrate",
                                "--live", "--p2p", "--persistent", "--undefinesource"));
                        if (unsafe) {
                            command.add("--unsafe");
                        }
                        command.addAll(List.of(DomainNames.forUuid(uuid), destination.tcpUri()));
                        MigrationGuests.run(command.toArray(new String[0]));
                    } else {
                        from.migrateLive(uuid, MigrationRequest.to(destination.tcpUri()).unsafe(unsafe).pollInterval(poll).build(),
                                p -> { });
                    }
                    long wallMs = (System.nanoTime() - start) / 1_000_000;
                    CompletedMigration done = to.lastIncomingMigration(uuid).orElseThrow();
                    (viaVirsh ? virsh : driver).add(new long[] {wallMs, done.jobTime().toMillis(), done.downtime().toMillis()});
                    System.out.printf(Locale.ROOT, "%-6s %s->%s wall %5d ms  job %5d ms  downtime %4d ms%n",
                            viaVirsh ? "virsh" : "driver", source.name(), destination.name(), wallMs,
                            done.jobTime().toMillis(), done.downtime().toMillis());
                }
            }
            if (ConsoleTicks.read(log).boots() != 1) {
                throw new IllegalStateException("the guest rebooted during the benchmark");
            }
            System.out.printf(Locale.ROOT, "virt type %s, %d hops each, driver polls every %d ms%n", type, driver.size(),
                    poll.toMillis());
            report("driver", driver);
            report("virsh", virsh);
            a.destroy(uuid);
            b.destroy(uuid);
        } finally {
            hosts.afterAll(null);
        }
    }

    private static void report(String what, List<long[]> samples) {
        System.out.printf(Locale.ROOT, "%-6s median wall %d ms (min %d, max %d), job %d ms, downtime %d ms (max %d)%n", what,
                median(samples, 0), min(samples, 0), max(samples, 0), median(samples, 1), median(samples, 2),
                max(samples, 2));
    }

    private static long median(List<long[]> samples, int field) {
        List<Long> values = new ArrayList<>();
        samples.forEach(s -> values.add(s[field]));
        Collections.sort(values);
        int n = values.size();
        return n % 2 == 1 ? values.get(n / 2) : (values.get(n / 2 - 1) + values.get(n / 2)) / 2;
    }

    private static long min(List<long[]> samples, int field) {
        return samples.stream().mapToLong(s -> s[field]).min().orElse(0);
    }

    private static long max(List<long[]> samples, int field) {
        return samples.stream().mapToLong(s -> s[field]).max().orElse(0);
    }
}
