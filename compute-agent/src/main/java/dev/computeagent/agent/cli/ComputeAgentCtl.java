package dev.computeagent.agent.cli;

import dev.computeagent.agent.message.CommandArgs;
import dev.computeagent.agent.message.CommandEnvelope;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.NoArgs;
import dev.computeagent.agent.message.RebuildArgs;
import dev.computeagent.agent.message.RescueArgs;
import dev.computeagent.agent.message.ResizeArgs;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;

/**
 * The operator's command line, in the style of {@code virsh} / {@code openstack server}
 * ({@code bin/compute-agent-ctl}, README "Operator CLI"). Commands go to an agent through RabbitMQ
 * with a fresh request id, and the tool waits for their outcome; {@code status}, {@code list} and
 * {@code show} read the agent's REST API; {@code events} tails {@code compute.events}.
 *
 * <p>Exit status: 0 success; 1 the agent reported an error (or the instance is unknown); 2 a usage
 * error; 3 no answer (broker or API unreachable, no agent queue for the host, no outcome in time).
 * Nothing it prints carries the broker password.
 */
public final class ComputeAgentCtl {

    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;
    static final int NO_ANSWER = 3;

    private static final Set<String> GLOBAL_OPTIONS = Set.of("amqp", "amqp-ca", "api", "host", "timeout");
    private static final Set<String> GLOBAL_FLAGS = Set.of("json");
    static final String USAGE_TEXT = """
            usage: compute-agent-ctl [--amqp URI [--amqp-ca PEM]] [--api URL] [--json] [--timeout SECONDS] COMMAND ...

            Commands sent to the agent of --host H through RabbitMQ (the tool waits for the outcome):
              spawn   --host H --image ID --flavor vcpus=N,ram=MB,disk=GB[,ephemeral=GB] [--name NAME]
                      [--uuid UUID] [--user-data FILE] [--nic network=NAME|bridge=NAME|user[,mac=M][,model=M]]...
                      [--meta KEY=VALUE]...
              stop    --host H UUID [--force | --shutdown-timeout SECONDS]
              start   --host H UUID
              reboot  --host H UUID [--hard]
              delete  --host H UUID
              migrate --host H UUID --to H2 [--cold] [--block | --shared]
              pause | unpause | suspend | resume  --host H UUID
              migrate-abort --host H UUID      cancel the running migration (H = the source)
              resize  --host H UUID --flavor vcpus=N,ram=MB,disk=GB[,ephemeral=GB] [--to H2]
              confirm_resize | revert_resize  --host H UUID   (after --to: H = H2, the owner)
              rescue  --host H UUID [--image ID];  unrescue --host H UUID
              rebuild --host H UUID [--image ID] [--user-data FILE] [--preserve-ephemeral]
              send    --host H FILE|-          a raw command envelope, published as it is
            Read from an agent's REST API (--api, default http://<--host or 127.0.0.1>:8080):
              status                           the host: hypervisor, broker, resources, counts
              list                             its instances
              show    UUID                     one instance
            Events (exchange compute.events):
              events  [--follow] [--host H] [--instance UUID] [--count N] [--for SECONDS]

            Broker: --amqp amqp[s]://user:password@host:port/vhost (several, comma-separated, for a
            cluster), else AMQP_URL, else SPRING_RABBITMQ_* (as the agent), else guest@127.0.0.1:5672.
            amqps verifies the broker against the JVM's CAs, or only those of --amqp-ca (AMQP_CA_FILE).
            --timeout: seconds to wait for an outcome (default 300). --json: the agent's JSON as is.
            Exit status: 0 done, 1 the agent reported an error, 2 usage, 3 no answer.
            """;

    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;
    private final InputStream in;

    ComputeAgentCtl(Map<String, String> env, PrintStream out, PrintStream err, InputStream in) {
        this.env = env;
        this.out = out;
        this.err = err;
        this.in = in;
    }

    public static void main(String[] args) {
        System.exit(new ComputeAgentCtl(System.getenv(), System.out, System.err, System.in).run(List.of(args)));
    }

    /** Runs one invocation; returns its exit status. */
    int run(List<String> args) {
        if (args.contains("--help")) {
            out.print(USAGE_TEXT);
            return OK;
        }
        int split = 0;
        while (split < args.size() && args.get(split).startsWith("--")) {
            String name = args.get(split).substring(2).split("=", 2)[0];
            split += GLOBAL_OPTIONS.contains(name) && !args.get(split).contains("=") ? 2 : 1;
        }
        if (split >= args.size()) {
            err.print(USAGE_TEXT);
            return USAGE;
        }
        String command = args.get(split);
        List<String> rest = new ArrayList<>(args.subList(0, split));
        rest.addAll(args.subList(split + 1, args.size()));
        try {
            return dispatch(command, rest);
        } catch (UsageException e) {
            err.println("compute-agent-ctl " + command + ": " + e.getMessage());
            err.println("(compute-agent-ctl --help for usage)");
            return USAGE;
        } catch (AgentApi.NotFound e) {
            err.println("compute-agent-ctl " + command + ": " + e.getMessage());
            return FAILED;
        } catch (CtlFailure e) {
            err.println("compute-agent-ctl " + command + ": " + e.getMessage());
            return NO_ANSWER;
        }
    }

    private int dispatch(String command, List<String> args) {
        return switch (command) {
            case "spawn" -> spawn(args);
            case "stop" -> {
                CtlArgs a = parse(args, Set.of("shutdown-timeout"), Set.of("force"));
                if (a.flag("force") && a.option("shutdown-timeout").isPresent()) {
                    throw new UsageException("--force and --shutdown-timeout exclude each other");
                }
                Integer grace = a.option("shutdown-timeout").map(s -> a.intOption("shutdown-timeout", 60)).orElse(null);
                yield send(a, CommandName.STOP, instance(a), CommandRequests.stopArgs(a.flag("force"), grace));
            }
            case "start" -> {
                CtlArgs a = parse(args, Set.of(), Set.of());
                yield send(a, CommandName.START, instance(a), NoArgs.INSTANCE);
            }
            case "reboot" -> {
                CtlArgs a = parse(args, Set.of(), Set.of("hard"));
                yield send(a, CommandName.REBOOT, instance(a), CommandRequests.rebootArgs(a.flag("hard")));
            }
            case "delete" -> {
                CtlArgs a = parse(args, Set.of(), Set.of());
                yield send(a, CommandName.DELETE, instance(a), NoArgs.INSTANCE);
            }
            case "pause", "unpause", "suspend", "resume" -> {
                CtlArgs a = parse(args, Set.of(), Set.of());
                yield send(a, CommandName.fromWire(command).orElseThrow(), instance(a), NoArgs.INSTANCE);
            }
            case "migrate" -> {
                CtlArgs a = parse(args, Set.of("to"), Set.of("cold", "block", "shared"));
                if (a.flag("block") && a.flag("shared")) {
                    throw new UsageException("--block and --shared exclude each other");
                }
                Boolean block = a.flag("block") ? Boolean.TRUE : a.flag("shared") ? Boolean.FALSE : null;
                yield send(a, CommandName.MIGRATE, instance(a), CommandRequests.migrateArgs(a.required("to"), a.flag("cold"), block));
            }
            case "migrate-abort" -> {
                CtlArgs a = parse(args, Set.of(), Set.of());
                yield send(a, CommandName.MIGRATE_ABORT, instance(a), NoArgs.INSTANCE);
            }
            case "resize" -> {
                CtlArgs a = parse(args, Set.of("flavor", "to"), Set.of());
                yield send(a, CommandName.RESIZE, instance(a),
                        new ResizeArgs(CommandRequests.flavor(a.required("flavor")), null, a.option("to").orElse(null)));
            }
            case "confirm_resize", "revert_resize", "unrescue" -> {
                CtlArgs a = parse(args, Set.of(), Set.of());
                yield send(a, CommandName.fromWire(command).orElseThrow(), instance(a), NoArgs.INSTANCE);
            }
            case "rescue" -> {
                CtlArgs a = parse(args, Set.of("image"), Set.of());
                yield send(a, CommandName.RESCUE, instance(a), new RescueArgs(a.option("image").orElse(null), null));
            }
            case "rebuild" -> {
                CtlArgs a = parse(args, Set.of("image", "user-data"), Set.of("preserve-ephemeral"));
                String userData = a.option("user-data").map(this::read).map(Base64.getEncoder()::encodeToString)
                        .orElse(null);
                yield send(a, CommandName.REBUILD, instance(a), new RebuildArgs(a.option("image").orElse(null),
                        userData, null, a.flag("preserve-ephemeral") ? Boolean.TRUE : null, null));
            }
            case "send" -> sendRaw(parse(args, Set.of(), Set.of()));
            case "status" -> {
                CtlArgs a = parse(args, Set.of(), Set.of());
                a.positionals(0, "no arguments");
                printer(a).object(api(a).get("/v1/status"));
                yield OK;
            }
            case "list" -> {
                CtlArgs a = parse(args, Set.of(), Set.of());
                a.positionals(0, "no arguments");
                printer(a).instances(api(a).get("/v1/instances"));
                yield OK;
            }
            case "show" -> {
                CtlArgs a = parse(args, Set.of(), Set.of());
                printer(a).object(api(a).get("/v1/instances/" + instance(a)));
                yield OK;
            }
            case "events" -> events(parse(args, Set.of("instance", "count", "for"), Set.of("follow")));
            default -> throw new UsageException("unknown command " + command);
        };
    }

    private int spawn(List<String> args) {
        CtlArgs a = parse(args, Set.of("image", "flavor", "name", "uuid", "user-data", "nic", "meta"), Set.of());
        a.positionals(0, "no positional arguments (options only)");
        String uuid = CommandRequests.uuid(a.option("uuid").orElse(UUID.randomUUID().toString()));
        byte[] userData = a.option("user-data").map(this::read).orElse(null);
        return send(a, CommandName.SPAWN, uuid, CommandRequests.spawnArgs(a.option("name").orElse(uuid), a.required("image"),
                CommandRequests.flavor(a.required("flavor")), CommandRequests.nics(a.all("nic")),
                CommandRequests.metadata(a.all("meta")), userData));
    }

    private int send(CtlArgs a, CommandName command, String uuid, CommandArgs commandArgs) {
        CommandEnvelope envelope = CommandRequests.envelope(command, uuid, commandArgs);
        return request(a, CommandRequests.bytes(envelope));
    }

    private int sendRaw(CtlArgs a) {
        return request(a, read(a.positionals(1, "one envelope file, or - for standard input").get(0)));
    }

    private int request(CtlArgs a, byte[] body) {
        String host = host(a);
        try (AgentMessaging messaging = AgentMessaging.connect(broker(a))) {
            JsonNode reply = messaging.request(host, body, Duration.ofSeconds(a.intOption("timeout", 300)));
            printer(a).outcome(reply);
            JsonNode error = reply.path("error");
            if (error.isObject()) {
                err.println("compute-agent-ctl: " + reply.path("event").asString() + ": " + error.path("code").asString()
                        + ": " + error.path("message").asString());
                return FAILED;
            }
            return OK;
        }
    }

    private int events(CtlArgs a) {
        a.positionals(0, "no positional arguments");
        String host = a.option("host").orElse(null);
        String instance = a.option("instance").map(CommandRequests::uuid).orElse(null);
        Predicate<JsonNode> filter = e -> (host == null || host.equals(e.path("host").asString(null)))
                && (instance == null || instance.equals(e.path("instance_uuid").asString(null)));
        Duration duration = a.flag("follow") ? null : Duration.ofSeconds(a.intOption("for", 10));
        Printer printer = printer(a);
        try (AgentMessaging messaging = AgentMessaging.connect(broker(a))) {
            messaging.tailEvents(filter, printer::event, a.intOption("count", 0), duration,
                    () -> err.println("compute-agent-ctl: receiving " + (duration == null ? "events (Ctrl-C to stop)"
                            : "events for " + duration.toSeconds() + " s")));
        }
        return OK;
    }

    private CtlArgs parse(List<String> args, Set<String> options, Set<String> flags) {
        Set<String> allOptions = new HashSet<>(GLOBAL_OPTIONS);
        allOptions.addAll(options);
        Set<String> allFlags = new HashSet<>(GLOBAL_FLAGS);
        allFlags.addAll(flags);
        return CtlArgs.parse(args, allOptions, allFlags);
    }

    private String host(CtlArgs a) {
        return a.option("host").or(() -> Optional.ofNullable(env.get("COMPUTE_AGENT_HOST")))
                .orElseThrow(() -> new UsageException("--host is required (the agent's agent.host)"));
    }

    private static String instance(CtlArgs a) {
        return CommandRequests.uuid(a.positionals(1, "the instance UUID").get(0));
    }

    private BrokerTarget broker(CtlArgs a) {
        return BrokerTarget.resolve(a.option("amqp").orElse(null), a.option("amqp-ca").orElse(null), env);
    }

    private AgentApi api(CtlArgs a) {
        return AgentApi.resolve(a.option("api").orElse(null), a.option("host").orElse(null), env);
    }

    private Printer printer(CtlArgs a) {
        return new Printer(out, a.flag("json"));
    }

    private byte[] read(String source) {
        try {
            if ("-".equals(source)) {
                return in.readAllBytes();
            }
            return Files.readAllBytes(Path.of(source));
        } catch (NoSuchFileException e) {
            throw new UsageException("no such file: " + source);
        } catch (IOException e) {
            throw new UsageException("cannot read " + source + ": " + e.getMessage());
        }
    }
}
