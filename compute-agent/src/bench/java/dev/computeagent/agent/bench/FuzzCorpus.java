package dev.computeagent.agent.bench;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * Mutated public command envelopes for the memory benchmark, deterministic for a seed: the mutations of
 * {@code FuzzedEnvelopesLibvirtRabbitMqTest} that a publisher without the agents' key can send (bit
 * flips, truncations, type swaps, huge numbers, control and non-BMP text, invalid UTF-8, deep nesting,
 * other versions, garbage, dropped fields), over spawn, start, stop, reboot and delete of instances this
 * host does not have. A spawn that stays valid names an image the store does not have, so nothing it
 * accepts leaves an instance behind.
 */
final class FuzzCorpus {

    private static final String[] COMMANDS = {"spawn", "start", "stop", "reboot", "delete"};
    private static final String[] GARBAGE = {"", "null", "[]", "\"spawn\"", "42", "{", "not json at all", "{}{}",
        "{\"version\":1}"};

    private FuzzCorpus() {
    }

    static List<byte[]> build(long seed, int size) {
        Random random = new Random(seed);
        List<byte[]> corpus = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            corpus.add(one(random, i));
        }
        return corpus;
    }

    private static byte[] one(Random random, int i) {
        String command = COMMANDS[i % COMMANDS.length];
        String uuid = new UUID(random.nextLong(), random.nextLong()).toString();
        String args = switch (command) {
            case "spawn" -> "{\"name\":\"fuzz-" + i + "\",\"image_id\":\"fuzz-no-such-image\","
                    + "\"flavor\":{\"vcpus\":1,\"memory_mb\":64,\"root_gb\":1}}";
            case "stop" -> "{\"timeout_s\":0}";
            case "reboot" -> "{\"hard\":true}";
            default -> "{}";
        };
        String text = "{\"version\":1,\"request_id\":\"fz-" + i + "\",\"command\":\"" + command
                + "\",\"instance_uuid\":\"" + uuid + "\",\"args\":" + args + "}";
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        return switch (random.nextInt(12)) {
            case 0 -> body;
            case 1 -> {
                for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                    body[random.nextInt(body.length)] ^= (byte) (1 << random.nextInt(8));
                }
                yield body;
            }
            case 2 -> Arrays.copyOf(body, random.nextInt(body.length));
            case 3 -> utf8(text.replace("\"version\":1", "\"version\":\"1\"").replace("\"args\":{",
                    "\"args\":{\"extra\":[true,{}],"));
            case 4 -> utf8(text.replace("\"memory_mb\":64", "\"memory_mb\":" + "9".repeat(1 + random.nextInt(40)))
                    .replace("\"timeout_s\":0", "\"timeout_s\":1e308"));
            case 5 -> utf8(text.replace("\"request_id\":\"fz-" + i, "\"request_id\":\"fz-" + i
                    + "\\r\\n\\u0000\\u001b[31m\uD83D\uDE00"));
            case 6 -> {
                int at = random.nextInt(body.length);
                byte[] broken = new byte[body.length + 2];
                System.arraycopy(body, 0, broken, 0, at);
                broken[at] = (byte) (0xc0 | random.nextInt(2));
                broken[at + 1] = (byte) 0xff;
                System.arraycopy(body, at, broken, at + 2, body.length - at);
                yield broken;
            }
            case 7 -> {
                int depth = 450 + random.nextInt(600);
                yield utf8(text.replace("\"args\":{", "\"args\":{\"deep\":" + "[".repeat(depth) + "]".repeat(depth)
                        + (args.equals("{}") ? "" : ",")));
            }
            case 8 -> utf8(text.replace("\"version\":1", "\"version\":" + new int[] {0, 2, 99}[random.nextInt(3)]));
            case 9 -> utf8(GARBAGE[random.nextInt(GARBAGE.length)]);
            case 10 -> utf8(text.replace("\"instance_uuid\":\"" + uuid + "\",", ""));
            default -> utf8(text.replace("\"command\":\"" + command + "\"", "\"command\":\"" + command + "x\""));
        };
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
