package dev.computeagent.agent.web;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/**
 * The last lines of a serial console log, bounded and printable whatever the guest wrote: at most
 * {@link #MAX_BYTES} are read from the end of the file (a line cut at that boundary is dropped), bytes
 * that are not UTF-8 become U+FFFD, and so do control characters other than tab (terminal escape
 * sequences included), so the answer is always valid text.
 */
final class ConsoleTail {

    /** How much of the log's end is read, whatever the number of lines asked. */
    static final int MAX_BYTES = 64 * 1024;

    private ConsoleTail() {
    }

    /** The last {@code lines} lines of {@code log}, each ending with a newline; empty when there is no log yet. */
    static String read(Path log, int lines) throws IOException {
        byte[] tail;
        boolean cut;
        try (FileChannel channel = FileChannel.open(log, StandardOpenOption.READ)) {
            long size = channel.size();
            long start = Math.max(0, size - MAX_BYTES);
            ByteBuffer buffer = ByteBuffer.allocate((int) (size - start));
            while (buffer.hasRemaining() && channel.read(buffer, start + buffer.position()) > 0) {
                // read until the end seen at open; a guest writing meanwhile adds to the next answer
            }
            tail = Arrays.copyOf(buffer.array(), buffer.position());
            cut = start > 0;
        } catch (NoSuchFileException e) {
            return "";
        }
        String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE).decode(ByteBuffer.wrap(tail)).toString();
        Deque<String> last = new ArrayDeque<>(lines);
        String[] all = text.split("\n", -1);
        int first = cut ? 1 : 0;
        // a log ending with a newline has an empty last element: not a line
        int end = all.length > 0 && all[all.length - 1].isEmpty() ? all.length - 1 : all.length;
        for (int i = Math.max(first, end - lines); i < end; i++) {
            last.addLast(printable(all[i]));
        }
        StringBuilder out = new StringBuilder();
        last.forEach(line -> out.append(line).append('\n'));
        return out.toString();
    }

    private static String printable(String line) {
        StringBuilder out = new StringBuilder(line.length());
        line.codePoints().forEach(cp -> {
            if (cp == '\r') {
                return; // serial consoles end lines with CR LF
            }
            out.appendCodePoint(cp != '\t' && Character.isISOControl(cp) ? 0xFFFD : cp);
        });
        return out.toString();
    }
}
