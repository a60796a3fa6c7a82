package dev.computeagent.image.inspect;

/**
 * What the inspector found in a file that passed every check.
 *
 * @param format      {@link ImageFormat#RAW} or {@link ImageFormat#QCOW2}
 * @param virtualSize the disk size the guest would see, bytes
 */
public record Inspection(ImageFormat format, long virtualSize) {
}
