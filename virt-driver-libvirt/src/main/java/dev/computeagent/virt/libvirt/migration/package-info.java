/**
 * Live and cold migration on libvirt: {@link dev.computeagent.virt.libvirt.migration.LibvirtMigrationDriver}
 * runs a peer-to-peer migration on its own thread while {@link dev.computeagent.virt.libvirt.migration.MigrationMonitor}
 * samples the job, raises the allowed downtime ({@link dev.computeagent.virt.libvirt.migration.DowntimeSchedule})
 * and escalates: post-copy when permitted and the job stops converging
 * ({@link dev.computeagent.virt.libvirt.migration.ConvergenceWatch}), else an abort on timeout or stall
 * ({@link dev.computeagent.virt.libvirt.migration.StallDetector}).
 *
 * <p>Nothing here may be null unless documented.
 */
@NullMarked
package dev.computeagent.virt.libvirt.migration;

import org.jspecify.annotations.NullMarked;
