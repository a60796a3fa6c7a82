package dev.computeagent.agent.config;

import dev.computeagent.agent.network.HostNetworkPlan;
import dev.computeagent.agent.network.VlanLink;
import dev.computeagent.virt.network.Ipv4Subnet;
import dev.computeagent.virt.network.NetworkDefinition;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.convert.DurationUnit;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The agent's configuration: the {@code agent.*} keys of docs/configuration.md (the contract's and the agent's own)
 * extensions. Validated at start-up; an invalid value stops the agent with a message naming the key.
 * The heartbeat and power-sync intervals and the shutdown timeout given as a bare number are seconds
 * ({@code 30} = {@code 30s}); a value with a unit ({@code 500ms}, {@code 10m}) keeps its unit.
 *
 * @param host                    this agent's name; queue {@code compute.<host>} (default: the hostname)
 * @param stateDir                bases, instance disks, journals
 * @param libvirt                 hypervisor connection
 * @param imageStore              where images come from
 * @param heartbeatInterval       period of the {@code host.status} event
 * @param maxConcurrentOperations instances worked on at once; 0 (the default) = sized from the host
 *                                ({@link OperationConcurrency})
 * @param maxConcurrentDownloads  image downloads at once
 * @param deliveryLimit           {@code x-delivery-limit} of the command queue
 * @param powerSyncInterval       period of the power-state sync pass
 * @param shutdownTimeout         how long in-flight commands may run on shutdown
 * @param imageCache              cache garbage collection
 * @param internalAuth            the keys that sign and authenticate agent-to-agent commands
 * @param configDrive             when instances get a config drive, and what it tells them
 * @param migration               how this agent runs the migrations it drives
 * @param networks                the host networks the agent ensures at start-up, by name
 */
@Validated
@ConfigurationProperties("agent")
public record AgentProperties(
        @NotBlank @Pattern(regexp = "[A-Za-z0-9._-]{1,128}", message = "agent.host must be 1-128 chars of [A-Za-z0-9._-]")
        String host,
        @NotNull @DefaultValue("/var/lib/compute-agent") Path stateDir,
        @Valid @NotNull @DefaultValue Libvirt libvirt,
        @Valid @NotNull @DefaultValue ImageStore imageStore,
        @NotNull @DefaultValue("30s") @DurationUnit(ChronoUnit.SECONDS) Duration heartbeatInterval,
        @Min(1) @Max(256) @DefaultValue("0") int maxConcurrentOperations,
        @Min(1) @Max(64) @DefaultValue("4") int maxConcurrentDownloads,
        @Min(1) @Max(100) @DefaultValue("5") int deliveryLimit,
        @NotNull @DefaultValue("10m") @DurationUnit(ChronoUnit.SECONDS) Duration powerSyncInterval,
        @NotNull @DefaultValue("120s") @DurationUnit(ChronoUnit.SECONDS) Duration shutdownTimeout,
        @Valid @NotNull @DefaultValue ImageCache imageCache,
        @Valid @NotNull @DefaultValue InternalAuth internalAuth,
        @Valid @NotNull @DefaultValue ConfigDrive configDrive,
        @Valid @NotNull @DefaultValue Migration migration,
        @Valid @NotNull @DefaultValue Map<String, HostNetwork> networks) {

    public AgentProperties {
        if (host == null || host.isBlank()) {
            host = localHostname();
        }
        networks = networks == null ? Map.of() : Map.copyOf(networks);
        // an inconsistent network stops the start-up, as any other invalid key does
        networks.forEach((name, network) -> network.plan(name));
        if (maxConcurrentOperations == 0) {
            maxConcurrentOperations = OperationConcurrency.forThisHost();
        }
    }

    /**
     * @param uri          libvirt connection URI
     * @param virtType     {@code auto} (kvm when libvirtd's QEMU can use /dev/kvm on a CPU with VT-x or AMD-V),
     *                     {@code kvm} or {@code qemu}
     * @param migrationUri how peers' libvirtd reach this one (default {@code qemu+tcp://<host>/system})
     * @param migrationBandwidth     MiB/s a migration from this host may use (memory and copied disks); 0 = no limit
     * @param migrationAutoConverge  let libvirt throttle a guest that dirties memory faster than it is sent
     * @param machineType  the QEMU machine type of the instances this agent defines ({@code pc}, {@code q35}...);
     *                     hosts that migrate to each other need the same one
     * @param pcieRootPorts the {@code pcie-root-port} controllers of a q35 instance (Nova's {@code num_pcie_ports}):
     *                     those its defined devices do not take are free for hot plug
     * @param migrationPermitPostCopy let a live migration that does not converge switch to post-copy (the guest
     *                               runs on the destination while its remaining memory follows; a failure then
     *                               loses the guest on both hosts)
     * @param migrationPostCopyAfter  with post-copy permitted: switch when no pass over the memory started with
     *                               less data left than an earlier one for this long (and instead of aborting at
     *                               the completion timeout or a stall)
     */
    public record Libvirt(
            @NotBlank @DefaultValue("qemu:///system") String uri,
            @NotNull @Pattern(regexp = "auto|kvm|qemu", message = "agent.libvirt.virt-type must be auto, kvm or qemu")
            @DefaultValue("auto") String virtType,
            @Nullable String migrationUri,
            @Min(0) @DefaultValue("0") long migrationBandwidth,
            @DefaultValue("false") boolean migrationAutoConverge,
            @NotNull @Pattern(regexp = "[A-Za-z0-9._-]{1,64}",
                    message = "agent.libvirt.machine-type must be 1-64 chars of [A-Za-z0-9._-]")
            @DefaultValue("pc") String machineType,
            @Min(0) @Max(64) @DefaultValue("16") int pcieRootPorts,
            @DefaultValue("false") boolean migrationPermitPostCopy,
            @NotNull @DurationUnit(ChronoUnit.SECONDS) @DefaultValue("60s") Duration migrationPostCopyAfter) {

        public Libvirt {
            Migration.positive("agent.libvirt.migration-post-copy-after", migrationPostCopyAfter);
        }
    }

    /**
     * @param url             {@code http(s)://…} Glance v2 endpoint or {@code file:///dir}
     * @param token           optional {@code X-Auth-Token}; never logged or shown
     * @param downloadMinRate per second: an image download (retries included) fails once it has taken
     *                        longer than the stall timeout plus the image's size at this rate
     */
    public record ImageStore(@DefaultValue("file:///var/lib/compute-agent-images") URI url, @Nullable String token,
                             @NotNull @DefaultValue("1MB") DataSize downloadMinRate) {

        public ImageStore {
            if (downloadMinRate != null && downloadMinRate.toBytes() < 1) {
                throw new IllegalArgumentException("agent.image-store.download-min-rate must be at least 1B "
                        + "(per second), not " + downloadMinRate.toBytes() + "B");
            }
        }

        @Override
        public String toString() {
            return "ImageStore[url=" + url + ", token=" + (token == null || token.isEmpty() ? "none" : "***")
                    + ", downloadMinRate=" + downloadMinRate + "]";
        }
    }

    /**
     * @param maxUnusedAge unused bases older than this are removed
     * @param quotaBytes   0 = no quota; else LRU unused bases go first while above it
     * @param gcInterval   period of the garbage-collection pass
     * @param forceRaw     convert qcow2 bases to raw when caching
     */
    public record ImageCache(@NotNull @DefaultValue("24h") Duration maxUnusedAge,
                             @Min(0) @DefaultValue("0") long quotaBytes,
                             @NotNull @DefaultValue("1h") Duration gcInterval,
                             @DefaultValue("true") boolean forceRaw) {
    }

    /**
     * The keys shared by the agents of one cloud to sign their agent-to-agent ({@code migration.*})
     * commands. Without any key those commands are neither sent nor accepted. Secrets are never logged
     * or shown ({@link #toString()} hides them).
     *
     * @param keysDir     a directory of key files (file name = key id, content = secret of at least 32
     *                    bytes), e.g. a mounted Kubernetes Secret
     * @param key         one secret given inline ({@code AGENT_INTERNAL_AUTH_KEY}), under {@code keyId}
     * @param keyId       the id of the inline {@code key}
     * @param activeKeyId the key to sign with; default: the only key
     * @param maxAge      how old a signature may be when it arrives (above the longest internal wait, 10 min)
     */
    public record InternalAuth(@Nullable Path keysDir, @Nullable String key,
                               @NotBlank @Pattern(regexp = "[A-Za-z0-9._-]{1,64}",
                                       message = "agent.internal-auth.key-id must be 1-64 chars of [A-Za-z0-9._-]")
                               @DefaultValue("default") String keyId,
                               @Nullable String activeKeyId,
                               @NotNull @DefaultValue("15m") Duration maxAge) {

        @Override
        public String toString() {
            return "InternalAuth[keysDir=" + keysDir + ", key=" + (key == null || key.isEmpty() ? "none" : "***")
                    + ", keyId=" + keyId + ", activeKeyId=" + activeKeyId + ", maxAge=" + maxAge + "]";
        }
    }

    /**
     * When instances get a config drive, and what it tells them.
     *
     * @param force            a config drive for every instance (Nova's {@code force_config_drive}); else only
     *                         for spawns with user data, SSH public keys or NICs
     * @param availabilityZone the {@code availability_zone} guests read in {@code meta_data.json}
     */
    public record ConfigDrive(@DefaultValue("false") boolean force,
                              @NotBlank @Pattern(regexp = "[A-Za-z0-9._:-]{1,255}", message =
                                      "agent.config-drive.availability-zone must be 1-255 chars of [A-Za-z0-9._:-]")
                              @DefaultValue("nova") String availabilityZone) {
    }

    /**
     * How this agent runs the migrations it drives (as the source) and receives.
     *
     * @param progressInterval at most one {@code instance.migrate.progress} event per this interval while a
     *                         migration runs (the REST view has every sample)
     * @param preparedExpiry   as a destination: a migration prepared here that its source neither started,
     *                         adopted nor aborted within this is given up and what prepare made removed
     */
    public record Migration(@NotNull @DefaultValue("2s") Duration progressInterval,
                            @NotNull @DefaultValue("15m") Duration preparedExpiry) {

        public Migration {
            positive("agent.migration.progress-interval", progressInterval);
            positive("agent.migration.prepared-expiry", preparedExpiry);
        }

        static void positive(String key, @Nullable Duration value) {
            if (value != null && (value.isNegative() || value.isZero())) {
                throw new IllegalArgumentException(key + " must be positive, not " + value);
            }
        }
    }

    /**
     * One host network ({@code agent.networks.<name>.*}), ensured at start-up.
     *
     * @param mode       {@code nat} (a private subnet behind the host's NAT, with DHCP), {@code isolated} (the same
     *                   without a way out), {@code bridge} (a Linux bridge of the host) or {@code absent} (the
     *                   agent's network of this name is removed once no instance uses it)
     * @param cidr       nat/isolated: the subnet, e.g. {@code 10.77.0.0/24}; the host takes its first address
     * @param dhcpStart  nat/isolated: first DHCP address (default: the subnet's second address)
     * @param dhcpEnd    nat/isolated: last DHCP address (default: the subnet's last host address)
     * @param bridge     bridge: the Linux bridge, created when missing (default: the network's name)
     * @param vlanParent bridge: a host interface whose VLAN sub-interface joins the bridge
     * @param vlanId     bridge: the VLAN id (1-4094) of that sub-interface; 0 = none
     */
    public record HostNetwork(@NotNull @Pattern(regexp = "nat|isolated|bridge|absent",
                                      message = "agent.networks.<name>.mode must be nat, isolated, bridge or absent")
                              @DefaultValue("nat") String mode,
                              @Nullable String cidr, @DefaultValue("") String dhcpStart,
                              @DefaultValue("") String dhcpEnd, @Nullable String bridge,
                              @Nullable String vlanParent, @Min(0) @Max(4094) @DefaultValue("0") int vlanId) {

        /**
         * What the agent makes of this network.
         *
         * @throws IllegalArgumentException an invalid name, or keys that do not fit the mode
         */
        public HostNetworkPlan plan(String name) {
            try {
                return switch (mode) {
                    case "nat", "isolated" -> {
                        if (cidr == null || bridge != null || vlanParent != null || vlanId != 0) {
                            throw new IllegalArgumentException("a " + mode + " network takes cidr (and dhcp-start, "
                                    + "dhcp-end), no bridge or VLAN");
                        }
                        Ipv4Subnet subnet = Ipv4Subnet.of(cidr, dhcpStart, dhcpEnd);
                        yield HostNetworkPlan.ensure(mode.equals("nat") ? NetworkDefinition.nat(name, subnet)
                                : NetworkDefinition.isolated(name, subnet), Optional.empty());
                    }
                    case "absent" -> HostNetworkPlan.absent(name);
                    default -> {
                        if (cidr != null || !dhcpStart.isEmpty() || !dhcpEnd.isEmpty()) {
                            throw new IllegalArgumentException("a bridge network takes no cidr or DHCP range");
                        }
                        if ((vlanParent == null) != (vlanId == 0)) {
                            throw new IllegalArgumentException("vlan-parent and vlan-id go together");
                        }
                        yield HostNetworkPlan.ensure(NetworkDefinition.bridged(name, bridge == null ? name : bridge),
                                vlanParent == null ? Optional.empty() : Optional.of(new VlanLink(vlanParent, vlanId)));
                    }
                };
            } catch (IllegalArgumentException e) {
                // no cause: Spring's start-up report shows the innermost message only
                throw new IllegalArgumentException("agent.networks." + name + ": " + e.getMessage());
            }
        }
    }

    /** The migration URI peers use, derived from {@link #host} unless configured. */
    public String effectiveMigrationUri() {
        String configured = libvirt.migrationUri();
        return configured == null || configured.isBlank() ? "qemu+tcp://" + host + "/system" : configured;
    }

    private static String localHostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            String env = System.getenv("HOSTNAME");
            return env == null || env.isBlank() ? "localhost" : env;
        }
    }
}
