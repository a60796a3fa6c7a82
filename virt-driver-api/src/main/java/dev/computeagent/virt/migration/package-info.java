/**
 * Moving an instance between two hosts of the same hypervisor kind.
 *
 * <p>Division of labour: the agent decides <em>what</em> to do (live or cold, shared or copied
 * storage, preparing the destination's disks) and a {@link dev.computeagent.virt.migration.MigrationDriver}
 * does the hypervisor part (the live transfer and its monitoring, exporting and importing a
 * definition for a cold move). Whether two hosts share the instance directory is detected, never
 * guessed, with {@link dev.computeagent.virt.migration.SharedStorageProbe}.
 *
 * <p>Nothing in this package may be null unless a method or record component says so.
 */
package dev.computeagent.virt.migration;
