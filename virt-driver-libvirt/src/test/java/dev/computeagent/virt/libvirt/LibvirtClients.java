package dev.computeagent.virt.libvirt;

import dev.computeagent.hostio.testing.Commands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Drops this JVM's libvirtd client connections server-side with {@code virt-admin}: a lost
 * connection without restarting the daemon other tests are using.
 */
final class LibvirtClients {

    private LibvirtClients() {
    }

    /** Disconnects every libvirtd client whose peer process is this JVM; returns how many. */
    static int disconnectOwnClients() {
        long pid = ProcessHandle.current().pid();
        int dropped = 0;
        for (String id : clientIds()) {
            String info;
            try {
                info = Commands.check(Duration.ofSeconds(10), "virt-admin", "client-info", "libvirtd", id);
            } catch (IllegalStateException e) {
                continue; // gone meanwhile
            }
            if (info.lines().anyMatch(line -> line.matches("unix_process_id\\s*:\\s*" + pid))) {
                Commands.check(Duration.ofSeconds(10), "virt-admin", "client-disconnect", "libvirtd", id);
                dropped++;
            }
        }
        return dropped;
    }

    private static List<String> clientIds() {
        String listing = Commands.check(Duration.ofSeconds(10), "virt-admin", "srv-clients-list", "libvirtd");
        List<String> ids = new ArrayList<>();
        for (String line : listing.lines().toList()) {
            String[] fields = line.strip().split("\\s+");
            if (fields.length > 0 && fields[0].matches("\\d+")) {
                ids.add(fields[0]);
            }
        }
        return ids;
    }
}
