/**
 * Moving an instance between two hosts of the same hypervisor kind.
 *
 * <p>Division of labour: the agent decides <em>what</em> to do (live or cold, shared or copied
 * storage, preparing the destination's disks) and a {@link dev.computeagent.virt.migration.MigrationDriver}
 * does the hypervisor part (the live transfer and its monitoring; for a cold move, exporting the
 * instance as typed data on the source and rendering and defining it itself on the destination). Whether two hosts share the instance directory is detected, never
 * guessed, with {@link dev.computeagent.virt.migration.SharedStorageProbe}.
 *
 * <p>Nothing in this package may be null unless a method or record component says so.
 */
@NullMarked
package dev.computeagent.virt.migration;

import org.jspecify.annotations.NullMarked;
