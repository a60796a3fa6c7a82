package dev.computeagent.virt.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Base64;

/**
 * A bootable 1 MiB raw disk whose boot sector prints {@link #BOOT_MARKER} on the serial port, then
 * {@code TICK n} about once a second (source: {@code src/test/resources/guest/tiny-guest.asm}).
 * Boots in well under a second under TCG; no assembler is needed at test time.
 */
public final class TinyGuestImage {

    /** The line the guest prints once per boot. */
    public static final String BOOT_MARKER = "COMPUTE-AGENT-GUEST-BOOTED";
    /** The line the guest prints right before it powers itself off. */
    public static final String POWER_OFF_MARKER = "POWERING-OFF";
    /** Size of the raw image written. */
    public static final long SIZE_BYTES = 1024 * 1024;

    private static final int POWER_OFF_AFTER_OFFSET = 509;
    private static final String BOOT_SECTOR_BASE64 =
            "+jHAjtiOwI7QvAB8+76afOhAAGYx22ZDvrl86DUAZonY6EsAvs586CkAZg+2Dv19ZoXJdBZmOctyEb6/fOgTALgAILoEBu+6BLDvuRIA9OL968OshMB0BegDAOv2w1JQuv0D7KggdPtYuvgD7lrDZlNmUWZSZrkKAAAAMdtmMdJm9/FSQ2aFwHXzWAQw6M7/S3X3ZlpmWWZbww0KQ09NUFVURS1BR0VOVC1HVUVTVC1CT09URUQNCgBUSUNLIABQT1dFUklORy1PRkYNCgANCgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAVao=";

    private TinyGuestImage() {
    }

    /** Writes the image to the path given as the only argument (used by the README's quick start). */
    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: TinyGuestImage TARGET.raw");
            System.exit(2);
        }
        System.out.println(write(Path.of(args[0])).toAbsolutePath());
    }

    /** The 512-byte boot sector of a guest that ticks forever. */
    public static byte[] bootSector() {
        return Base64.getDecoder().decode(BOOT_SECTOR_BASE64);
    }

    /** Writes a guest that ticks forever to {@code target} (a 1 MiB raw image). */
    public static Path write(Path target) {
        return write(target, 0);
    }

    /**
     * Writes a guest that powers itself off (ACPI S5) after {@code ticks} ticks (1–255), or never
     * when {@code ticks} is 0.
     */
    public static Path write(Path target, int ticks) {
        if (ticks < 0 || ticks > 255) {
            throw new IllegalArgumentException("ticks must be within [0, 255]: " + ticks);
        }
        byte[] sector = bootSector();
        sector[POWER_OFF_AFTER_OFFSET] = (byte) ticks;
        byte[] image = new byte[(int) SIZE_BYTES];
        System.arraycopy(sector, 0, image, 0, sector.length);
        try {
            Files.createDirectories(target.toAbsolutePath().getParent());
            Files.write(target, image, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write tiny guest image " + target, e);
        }
        return target;
    }
}
