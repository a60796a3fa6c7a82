package dev.computeagent.agent.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The arguments of one subcommand: {@code --name value} options (some may repeat), {@code --flag}
 * switches and positional words, checked against what the subcommand accepts. Anything else is a
 * {@link UsageException}.
 */
final class CtlArgs {

    private final Map<String, List<String>> options = new LinkedHashMap<>();
    private final List<String> positionals = new ArrayList<>();

    private CtlArgs() {
    }

    /**
     * Parses {@code args}; {@code withValue} are the options taking a value, {@code flags} the switches.
     * A lone {@code -} is a positional word (standard input).
     */
    static CtlArgs parse(List<String> args, Set<String> withValue, Set<String> flags) {
        CtlArgs parsed = new CtlArgs();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--")) {
                parsed.positionals.add(arg);
                continue;
            }
            String name = arg.substring(2);
            @Nullable String value = null;
            int eq = name.indexOf('=');
            if (eq > 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (flags.contains(name) && value == null) {
                parsed.options.computeIfAbsent(name, k -> new ArrayList<>()).add("true");
            } else if (withValue.contains(name)) {
                if (value == null) {
                    if (i + 1 >= args.size()) {
                        throw new UsageException("--" + name + " needs a value");
                    }
                    value = args.get(++i);
                }
                parsed.options.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            } else {
                throw new UsageException("unknown option --" + name);
            }
        }
        return parsed;
    }

    Optional<String> option(String name) {
        List<String> values = options.get(name);
        if (values == null) {
            return Optional.empty();
        }
        if (values.size() > 1) {
            throw new UsageException("--" + name + " given more than once");
        }
        return Optional.of(values.get(0));
    }

    String required(String name) {
        return option(name).orElseThrow(() -> new UsageException("--" + name + " is required"));
    }

    List<String> all(String name) {
        return options.getOrDefault(name, List.of());
    }

    boolean flag(String name) {
        return options.containsKey(name);
    }

    int intOption(String name, int defaultValue) {
        @Nullable String value = option(name).orElse(null);
        if (value == null) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be a whole number: " + value);
        }
    }

    /** Exactly {@code count} positional words. */
    List<String> positionals(int count, String what) {
        if (positionals.size() != count) {
            throw new UsageException("expected " + what + (positionals.isEmpty() ? "" : ", got " + positionals));
        }
        return List.copyOf(positionals);
    }
}
