package dev.computeagent.virt.libvirt.domain;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A character device's {@code <log>}: virtlogd copies everything the device outputs to {@code file}.
 *
 * @param file   the log file
 * @param append whether to keep the file's content on restart ({@code append='on'})
 */
public record CharLog(Path file, boolean append) {

    public CharLog {
        Objects.requireNonNull(file, "file");
    }
}
