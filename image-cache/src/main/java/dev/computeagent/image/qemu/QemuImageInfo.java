package dev.computeagent.image.qemu;

import java.util.Optional;

/**
 * The fields of {@code qemu-img info --output=json} the cache checks.
 *
 * @param format      {@code format}
 * @param virtualSize {@code virtual-size}
 * @param backingFile {@code backing-filename}, when present
 * @param dataFile    {@code format-specific.data.data-file}, when present
 */
public record QemuImageInfo(String format, long virtualSize, Optional<String> backingFile, Optional<String> dataFile) {
}
