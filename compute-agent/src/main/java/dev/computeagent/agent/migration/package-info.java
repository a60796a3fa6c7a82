/**
 * The agent's part of moving an instance to another agent's host (DESIGN.md §3 {@code migrate}).
 *
 * <p>On the source, {@link dev.computeagent.agent.migration.MigrateHandler} decides the plan
 * ({@link dev.computeagent.agent.migration.MigrationPlan}) and drives the destination agent with the
 * internal {@code migration.check / prepare / adopt / abort} commands over the broker
 * ({@link dev.computeagent.agent.migration.AmqpDestinationClient}); on the destination,
 * {@link dev.computeagent.agent.migration.IncomingMigrations} answers them. Ownership: an agent sees only
 * the instances its host owns ({@link dev.computeagent.agent.migration.OwnedInstancesDriver}); a migrated
 * instance becomes the destination's when it is adopted, so exactly one agent lists it.
 *
 * <p>Nothing here is null unless documented as such.
 */
@NullMarked
package dev.computeagent.agent.migration;

import org.jspecify.annotations.NullMarked;
