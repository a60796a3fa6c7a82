package dev.computeagent.image.qemu;

/** A finished process: exit code and captured output (each capped). */
public record ProcessResult(int exitCode, String stdout, String stderr) {
}
