package dev.computeagent.agent.jvm;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Keeps the agent's memory goal however it is launched: a plain {@code java -jar compute-agent.jar}
 * without a heap bound (the JVM's G1 defaults, which no running JVM can fully undo) runs the agent in a
 * second JVM started with the {@linkplain JvmMemoryDefaults#RECOMMENDED recommended options}, and the
 * first JVM stays as its small supervisor, as Elasticsearch's launcher does. The supervisor passes the
 * operator's own JVM options and arguments on, forwards SIGTERM (it waits for the agent's graceful
 * shutdown) and exits with the agent's status; the agent ends itself when its supervisor disappears (kill
 * -9), so it never runs on unsupervised. Launches with a heap bound of {@value JvmMemoryDefaults#LARGE_HEAP_MIB}
 * MiB or less (the Dockerfile, the chart, the recommended command line), {@code -cp} launches and
 * {@code COMPUTE_AGENT_RELAUNCH=false} run the agent in the JVM they started.
 *
 * <p>The child is not started through {@code ProcessRunner}: it is the agent itself, with no timeout and
 * its output inherited, not a bounded command whose output is collected.
 */
public final class JvmRelaunch {

    /** Set in the agent's JVM to its supervisor's pid; its presence also prevents a second relaunch. */
    public static final String SUPERVISOR_PID = "COMPUTE_AGENT_SUPERVISOR_PID";
    /** {@code false} keeps the agent in the JVM the operator started. */
    public static final String SWITCH = "COMPUTE_AGENT_RELAUNCH";

    /**
     * How this JVM was started.
     *
     * @param maxHeapBytes  the heap bound ({@link Runtime#maxMemory()})
     * @param javaHome      {@code java.home}
     * @param classPath     {@code java.class.path}
     * @param javaCommand   {@code sun.java.command}: the jar (for {@code -jar}) or main class, then the arguments
     * @param jvmArguments  the JVM options given ({@code RuntimeMXBean.getInputArguments()})
     * @param environment   the process environment
     */
    record Launch(long maxHeapBytes, String javaHome, String classPath, String javaCommand, List<String> jvmArguments,
                  Map<String, String> environment) {
    }

    private JvmRelaunch() {
    }

    /**
     * When this JVM is a plain {@code java -jar} launch without a heap bound, runs the agent in a JVM with
     * the recommended options and returns its exit status; else empty, and the caller runs the agent here.
     * A child that cannot be started is reported on stderr and the agent runs here instead.
     */
    public static Optional<Integer> superviseIfUnbounded(String[] args) {
        if ((Runtime.getRuntime().maxMemory() >> 20) <= JvmMemoryDefaults.LARGE_HEAP_MIB) {
            // the usual launch (image, chart, recommended options): no management bean looked up, it costs start-up
            return Optional.empty();
        }
        Launch launch = new Launch(Runtime.getRuntime().maxMemory(), System.getProperty("java.home", ""),
                System.getProperty("java.class.path", ""), System.getProperty("sun.java.command", ""),
                ManagementFactory.getRuntimeMXBean().getInputArguments(), System.getenv());
        Optional<List<String>> command = childCommand(launch, args);
        if (command.isEmpty()) {
            return Optional.empty();
        }
        ProcessBuilder builder = new ProcessBuilder(command.get()).inheritIO();
        builder.environment().put(SUPERVISOR_PID, Long.toString(ProcessHandle.current().pid()));
        Process agent;
        try {
            agent = builder.start();
        } catch (IOException e) {
            System.err.println("compute-agent: cannot start a JVM with the recommended options (" + e.getMessage()
                    + "); running in this one");
            return Optional.empty();
        }
        System.err.println("compute-agent: launched without a heap bound; the agent runs in pid " + agent.pid()
                + " with " + JvmMemoryDefaults.RECOMMENDED + " (" + SWITCH + "=false runs it in this JVM)");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(agent), "agent-supervisor-stop"));
        // the supervisor's own start-up garbage: collected and its heap given back, the supervisor stays small
        JvmMemoryDefaults.applyToThisJvm();
        System.gc();
        while (true) {
            try {
                return Optional.of(agent.waitFor());
            } catch (InterruptedException e) {
                // nothing interrupts the main thread but a shutdown, which stop() handles
            }
        }
    }

    /**
     * In the agent's JVM started by {@link #superviseIfUnbounded}: ends this JVM (gracefully, through the
     * shutdown hooks) as soon as the supervisor is gone. Does nothing in a JVM started otherwise.
     */
    public static void endWithSupervisor() {
        String pid = System.getenv(SUPERVISOR_PID);
        if (pid == null) {
            return;
        }
        Optional<ProcessHandle> supervisor;
        try {
            supervisor = ProcessHandle.of(Long.parseLong(pid));
        } catch (NumberFormatException e) {
            return;
        }
        if (supervisor.isEmpty()) {
            System.exit(1);
        }
        supervisor.get().onExit().thenRun(() -> {
            System.err.println("compute-agent: the supervising JVM (pid " + pid + ") is gone; shutting down");
            System.exit(1);
        });
    }

    /** The command of the agent's own JVM, when {@code launch} asks for one. */
    static Optional<List<String>> childCommand(Launch launch, String[] args) {
        boolean plainJar = launch.classPath().endsWith(".jar") && !launch.classPath().contains(java.io.File.pathSeparator)
                && (launch.javaCommand().equals(launch.classPath())
                        || launch.javaCommand().startsWith(launch.classPath() + " "));
        if (!plainJar || (launch.maxHeapBytes() >> 20) <= JvmMemoryDefaults.LARGE_HEAP_MIB
                || launch.environment().containsKey(SUPERVISOR_PID)
                || "false".equalsIgnoreCase(launch.environment().get(SWITCH))) {
            return Optional.empty();
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(launch.javaHome(), "bin", "java").toString());
        Set<String> given = launch.jvmArguments().stream().map(JvmRelaunch::optionName).collect(Collectors.toSet());
        boolean collectorGiven = given.stream().anyMatch(name -> name.startsWith("Use") && name.endsWith("GC"));
        for (String option : JvmMemoryDefaults.RECOMMENDED.split(" ")) {
            String name = optionName(option);
            if (!given.contains(name) && !(collectorGiven && name.startsWith("Use") && name.endsWith("GC"))) {
                command.add(option);
            }
        }
        command.addAll(launch.jvmArguments());
        command.add("-jar");
        command.add(launch.classPath());
        command.addAll(Arrays.asList(args));
        return Optional.of(List.copyOf(command));
    }

    /** {@code -XX:+UseSerialGC} → UseSerialGC, {@code -XX:Foo=1} → Foo, {@code -Xmx128m} → -Xmx, else the option. */
    static String optionName(String option) {
        if (option.startsWith("-XX:")) {
            String rest = option.substring(4);
            if (rest.startsWith("+") || rest.startsWith("-")) {
                rest = rest.substring(1);
            }
            int eq = rest.indexOf('=');
            return eq < 0 ? rest : rest.substring(0, eq);
        }
        for (String sized : List.of("-Xmx", "-Xms", "-Xss", "-Xmn")) {
            if (option.startsWith(sized)) {
                return sized;
            }
        }
        return option;
    }

    private static void stop(Process agent) {
        if (!agent.isAlive()) {
            return;
        }
        agent.destroy();
        try {
            agent.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
