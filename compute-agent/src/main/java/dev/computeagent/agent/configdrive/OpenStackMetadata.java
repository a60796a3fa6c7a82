package dev.computeagent.agent.configdrive;

import dev.computeagent.agent.message.AgentJson;
import dev.computeagent.virt.NicSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The files of {@code openstack/latest/} as Nova writes them and cloud-init's ConfigDrive data source
 * reads them: {@code meta_data.json} (identity, hostname, zone, {@code meta}, SSH keys, a random
 * seed), {@code network_data.json} (one link per NIC with its MAC, each configured by DHCP: the spawn
 * carries no addresses), {@code vendor_data.json} and {@code vendor_data2.json} (empty: the agent has no
 * vendor data), and {@code user_data} byte for byte when given. Pure: the same content and seed give
 * the same bytes.
 */
final class OpenStackMetadata {

    /** What Nova puts in {@code random_seed}: 512 bytes for the guest's entropy pool. */
    static final int RANDOM_SEED_BYTES = 512;

    private OpenStackMetadata() {
    }

    /** File name under {@code openstack/latest/} → content. */
    static Map<String, byte[]> files(ConfigDriveContent content, byte[] randomSeed) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("meta_data.json", json(metaData(content, randomSeed)));
        files.put("network_data.json", json(networkData(content.nics())));
        files.put("vendor_data.json", json(Map.of()));
        files.put("vendor_data2.json", json(Map.of()));
        content.userData().ifPresent(userData -> files.put("user_data", userData));
        return files;
    }

    static Map<String, Object> metaData(ConfigDriveContent content, byte[] randomSeed) {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("uuid", content.uuid().toString());
        meta.put("name", content.name());
        meta.put("hostname", hostname(content.name(), content.uuid()));
        meta.put("launch_index", 0);
        meta.put("availability_zone", content.availabilityZone());
        meta.put("meta", new TreeMap<>(content.metadata()));
        Map<String, String> keys = new TreeMap<>(content.publicKeys());
        meta.put("public_keys", keys);
        List<Map<String, String>> keyList = new ArrayList<>();
        keys.forEach((name, key) -> keyList.add(Map.of("name", name, "type", "ssh", "data", key)));
        meta.put("keys", keyList);
        meta.put("random_seed", Base64.getEncoder().encodeToString(randomSeed));
        meta.put("devices", List.of());
        return meta;
    }

    /**
     * Links named {@code tap<mac without colons>}; type {@code bridge} for NICs on a libvirt network or
     * a host bridge (a tap on a Linux bridge), {@code phy} for user-mode ones; the MTU is not known
     * here (null: the DHCP server's). Every network is {@code ipv4_dhcp}.
     */
    static Map<String, Object> networkData(List<NicSpec> nics) {
        List<Map<String, Object>> links = new ArrayList<>();
        List<Map<String, Object>> networks = new ArrayList<>();
        for (int i = 0; i < nics.size(); i++) {
            NicSpec nic = nics.get(i);
            String mac = nic.mac().orElseThrow();
            String id = "tap" + mac.replace(":", "");
            Map<String, Object> link = new LinkedHashMap<>();
            link.put("id", id);
            link.put("vif_id", id);
            link.put("type", nic.type() == NicSpec.Type.USER ? "phy" : "bridge");
            link.put("mtu", null);
            link.put("ethernet_mac_address", mac);
            links.add(link);
            Map<String, Object> network = new LinkedHashMap<>();
            network.put("id", "network" + i);
            network.put("type", "ipv4_dhcp");
            network.put("link", id);
            network.put("network_id", nic.source().orElse("user"));
            networks.add(network);
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("links", links);
        data.put("networks", networks);
        data.put("services", List.of());
        return data;
    }

    /**
     * A DNS label from any name, as Nova sanitizes hostnames: lower case, spaces, underscores and dots
     * as dashes, nothing but {@code [a-z0-9-]}, no run of dashes, none leading or trailing, at most 63
     * characters; {@code instance-<uuid>} when nothing is left.
     */
    static String hostname(String name, UUID uuid) {
        String host = trimDashes(name.toLowerCase(Locale.ROOT).replaceAll("[ _.]", "-")
                .replaceAll("[^a-z0-9-]", "").replaceAll("-{2,}", "-"));
        host = trimDashes(host.substring(0, Math.min(host.length(), 63)));
        return host.isEmpty() ? "instance-" + uuid : host;
    }

    private static String trimDashes(String host) {
        return host.replaceAll("^-|-$", "");
    }

    private static byte[] json(Object document) {
        return AgentJson.mapper().writeValueAsBytes(document);
    }
}
