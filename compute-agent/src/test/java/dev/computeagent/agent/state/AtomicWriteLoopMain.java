package dev.computeagent.agent.state;

import dev.computeagent.hostio.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * The writer of {@code DurableRecordsSurvivePowerLossExt4Test}'s crash loop, run in a child JVM: replaces
 * one record with {@link AtomicFiles#write} over and over, records of different sizes, and prints the
 * number of each record once its write returned. Argument: the record's path.
 */
public final class AtomicWriteLoopMain {

    private static final int[] SIZES = {1, 100, 4096, 65_536, 300_000, 17, 30_000};

    private AtomicWriteLoopMain() {
    }

    public static void main(String[] args) throws IOException {
        Path target = Path.of(args[0]);
        for (long n = 1; ; n++) {
            AtomicFiles.write(target, record(n));
            System.out.println(n);
            System.out.flush();
        }
    }

    /** Record {@code n}: a header line with its number, length and CRC-32, then its bytes. */
    static byte[] record(long n) {
        byte[] payload = new byte[SIZES[(int) (n % SIZES.length)]];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (n * 31 + i);
        }
        CRC32 crc = new CRC32();
        crc.update(payload);
        byte[] header = ("rec " + n + " " + payload.length + " " + crc.getValue() + "\n")
                .getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(header.length + payload.length).put(header).put(payload).array();
    }

    /** The number of the complete record in {@code bytes}; empty when they are not one whole record. */
    static Optional<Long> parse(byte[] bytes) {
        int newline = -1;
        for (int i = 0; i < Math.min(bytes.length, 80); i++) {
            if (bytes[i] == '\n') {
                newline = i;
                break;
            }
        }
        if (newline < 0) {
            return Optional.empty();
        }
        String[] header = new String(bytes, 0, newline, StandardCharsets.US_ASCII).split(" ");
        if (header.length != 4 || !header[0].equals("rec")) {
            return Optional.empty();
        }
        long n = Long.parseLong(header[1]);
        return Arrays.equals(bytes, record(n)) ? Optional.of(n) : Optional.empty();
    }
}
