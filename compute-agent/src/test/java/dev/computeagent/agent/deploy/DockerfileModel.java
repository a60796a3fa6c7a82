package dev.computeagent.agent.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A Dockerfile as its build stages and instructions: comments dropped, continuation lines joined.
 * Just enough of the format to check what the file refers to; the linter checks the syntax.
 */
record DockerfileModel(List<Stage> stages) {

    /** One instruction, its keyword upper-cased, its arguments on one line. */
    record Instruction(int line, String keyword, String arguments) {
    }

    /** A {@code FROM} and the instructions up to the next one. */
    record Stage(String name, String baseImage, List<Instruction> instructions) {

        List<Instruction> all(String keyword) {
            return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
        }

        Optional<Instruction> last(String keyword) {
            List<Instruction> matching = all(keyword);
            return matching.isEmpty() ? Optional.empty() : Optional.of(matching.get(matching.size() - 1));
        }
    }

    static DockerfileModel parse(String text) {
        List<Stage> stages = new ArrayList<>();
        List<Instruction> current = null;
        StringBuilder pending = new StringBuilder();
        int pendingLine = 0;
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            String trimmed = line.strip();
            if (trimmed.startsWith("#") || (trimmed.isEmpty() && pending.length() == 0)) {
                continue;
            }
            if (pending.length() == 0) {
                pendingLine = i + 1;
            }
            boolean continues = trimmed.endsWith("\\");
            pending.append(continues ? trimmed.substring(0, trimmed.length() - 1) : trimmed).append(' ');
            if (continues) {
                continue;
            }
            String joined = pending.toString().strip().replaceAll("\\s+", " ");
            pending.setLength(0);
            if (joined.isEmpty()) {
                continue;
            }
            int space = joined.indexOf(' ');
            String keyword = (space < 0 ? joined : joined.substring(0, space)).toUpperCase(Locale.ROOT);
            String arguments = space < 0 ? "" : joined.substring(space + 1);
            Instruction instruction = new Instruction(pendingLine, keyword, arguments);
            if (keyword.equals("FROM")) {
                String[] words = arguments.split(" ");
                String name = words.length >= 3 && words[words.length - 2].equalsIgnoreCase("AS") ? words[words.length - 1] : "";
                current = new ArrayList<>();
                stages.add(new Stage(name, words[0], current));
            }
            if (current != null) {
                current.add(instruction);
            }
        }
        return new DockerfileModel(stages.stream()
                .map(s -> new Stage(s.name(), s.baseImage(), List.copyOf(s.instructions()))).toList());
    }

    Stage stage(String name) {
        return stages.stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no build stage named " + name));
    }

    /** The image that is shipped: the last stage. */
    Stage finalStage() {
        return stages.get(stages.size() - 1);
    }
}
