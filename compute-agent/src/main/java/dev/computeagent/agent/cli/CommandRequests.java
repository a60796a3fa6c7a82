package dev.computeagent.agent.cli;

import dev.computeagent.agent.message.AgentJson;
import dev.computeagent.agent.message.CommandArgs;
import dev.computeagent.agent.message.CommandEnvelope;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.MigrateArgs;
import dev.computeagent.agent.message.NicArgs;
import dev.computeagent.agent.message.RebootArgs;
import dev.computeagent.agent.message.SpawnArgs;
import dev.computeagent.agent.message.StopArgs;
import dev.computeagent.virt.Flavor;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Turns the operator's words into command envelopes (AsyncAPI {@code CommandEnvelope}), built from the
 * same typed records the agent reads, with a fresh {@code request_id}. The form is checked here (numbers,
 * {@code key=value} lists, a canonical UUID) and a flavor's ranges (the one {@code Flavor} type holds no
 * other); the agent validates everything else and answers {@code INVALID_COMMAND}.
 */
final class CommandRequests {

    private static final Pattern UUID_FORM =
            Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private CommandRequests() {
    }

    /** A request id for one invocation of the tool: {@code ctl-<random uuid>}. */
    static String newRequestId() {
        return "ctl-" + UUID.randomUUID();
    }

    static CommandEnvelope envelope(CommandName command, String instanceUuid, CommandArgs args) {
        return CommandEnvelope.of(command, newRequestId(), UUID.fromString(uuid(instanceUuid)), args);
    }

    static byte[] bytes(CommandEnvelope envelope) {
        return AgentJson.mapper().writeValueAsBytes(envelope);
    }

    /** {@code vcpus=1,ram=512,disk=10[,ephemeral=0]}: RAM in MiB, disks in GiB. */
    static Flavor flavor(String text) {
        Map<String, String> values = keyValues(text, "--flavor");
        for (String key : values.keySet()) {
            if (!List.of("vcpus", "ram", "disk", "ephemeral").contains(key)) {
                throw new UsageException("--flavor: unknown key " + key + " (vcpus, ram, disk, ephemeral)");
            }
        }
        try {
            return new Flavor(Math.toIntExact(number(values, "vcpus", true)), number(values, "ram", true),
                    number(values, "disk", true), number(values, "ephemeral", false));
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new UsageException("--flavor: " + e.getMessage());
        }
    }

    /** {@code network=NAME}, {@code bridge=NAME} or {@code user}, then optional {@code ,mac=…,model=…}. */
    static NicArgs nic(String text) {
        Map<String, String> values = keyValues(text, "--nic");
        String type = null;
        String source = null;
        for (Map.Entry<String, String> e : values.entrySet()) {
            switch (e.getKey()) {
                case "network", "bridge" -> {
                    if (type != null) {
                        throw new UsageException("--nic: one of network=, bridge= or user: " + text);
                    }
                    type = e.getKey();
                    source = e.getValue();
                }
                case "user" -> {
                    if (type != null) {
                        throw new UsageException("--nic: one of network=, bridge= or user: " + text);
                    }
                    type = "user";
                }
                case "mac", "model" -> {
                    // read below
                }
                default -> throw new UsageException("--nic: unknown key " + e.getKey() + " (network, bridge, user, mac, model)");
            }
        }
        if (type == null) {
            throw new UsageException("--nic needs network=NAME, bridge=NAME or user: " + text);
        }
        return new NicArgs(type, source, values.get("mac"), values.get("model"));
    }

    static SpawnArgs spawnArgs(String name, String imageId, Flavor flavor, List<NicArgs> nics,
                               Map<String, String> metadata, byte @Nullable [] userData) {
        return new SpawnArgs(name, flavor, imageId, nics.isEmpty() ? null : List.copyOf(nics),
                metadata.isEmpty() ? null : Map.copyOf(metadata),
                userData == null ? null : Base64.getEncoder().encodeToString(userData));
    }

    /** {@code KEY=VALUE} pairs of repeated {@code --meta} options. */
    static Map<String, String> metadata(List<String> pairs) {
        Map<String, String> metadata = new LinkedHashMap<>();
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new UsageException("--meta needs KEY=VALUE: " + pair);
            }
            metadata.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return metadata;
    }

    static StopArgs stopArgs(boolean force, @Nullable Integer timeoutSeconds) {
        return new StopArgs(force ? Integer.valueOf(0) : timeoutSeconds);
    }

    static RebootArgs rebootArgs(boolean hard) {
        return new RebootArgs(hard ? Boolean.TRUE : null, null);
    }

    static MigrateArgs migrateArgs(String destination, boolean cold, @Nullable Boolean blockMigration) {
        return new MigrateArgs(destination, cold ? Boolean.FALSE : null, blockMigration, null, null, null);
    }

    /** An instance UUID as the agent wants it: canonical lower case. */
    static String uuid(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        if (!UUID_FORM.matcher(lower).matches()) {
            throw new UsageException("not an instance UUID (8-4-4-4-12 hex): " + text);
        }
        return lower;
    }

    private static Map<String, String> keyValues(String text, String option) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String part : text.split(",")) {
            String item = part.strip();
            if (item.isEmpty()) {
                continue;
            }
            int eq = item.indexOf('=');
            String key = eq < 0 ? item : item.substring(0, eq);
            if (values.put(key, eq < 0 ? "" : item.substring(eq + 1)) != null) {
                throw new UsageException(option + ": " + key + " given twice");
            }
        }
        return values;
    }

    private static long number(Map<String, String> values, String key, boolean required) {
        String value = values.get(key);
        if (value == null) {
            if (required) {
                throw new UsageException("--flavor needs " + key + "=N (vcpus=1,ram=512,disk=10)");
            }
            return 0;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new UsageException("--flavor: " + key + " must be a whole number: " + value);
        }
    }

    /** The nics of repeated {@code --nic} options, in order. */
    static List<NicArgs> nics(List<String> options) {
        List<NicArgs> nics = new ArrayList<>();
        for (String option : options) {
            nics.add(nic(option));
        }
        return nics;
    }
}
