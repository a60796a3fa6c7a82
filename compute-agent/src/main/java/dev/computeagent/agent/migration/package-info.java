/**
 * The agent's part of moving an instance to another agent's host (the contract's {@code migrate};
 * docs/architecture.md, "Migration").
 *
 * <p>On the source, {@link dev.computeagent.agent.migration.MigrateHandler} decides the plan
 * ({@link dev.computeagent.agent.migration.MigrationPlan}) and, step by step
 * ({@link dev.computeagent.agent.migration.OutgoingMigration}), drives the destination agent with the
 * internal {@code migration.check / prepare / adopt / abort} commands through a
 * {@link dev.computeagent.agent.migration.DestinationClient} (over the broker: {@code amqp.AmqpDestinationClient}).
 * On the destination one handler answers each step ({@link dev.computeagent.agent.migration.MigrationCheckHandler},
 * {@link dev.computeagent.agent.migration.MigrationPrepareHandler},
 * {@link dev.computeagent.agent.migration.MigrationAdoptHandler},
 * {@link dev.computeagent.agent.migration.MigrationAbortHandler}), sharing the record of what was prepared
 * ({@link dev.computeagent.agent.migration.IncomingMigrations}); an arriving instance is laid out and
 * admitted as a spawn here would be ({@code provision}). Host ownership: an agent sees only the instances
 * its host owns ({@link dev.computeagent.agent.migration.OwnedInstancesDriver}, which adopt claims through);
 * a migrated instance becomes the destination's when it is adopted, so exactly one agent lists it.
 *
 * <p>Nothing here is null unless annotated {@code @Nullable}.
 */
@NullMarked
package dev.computeagent.agent.migration;

import org.jspecify.annotations.NullMarked;
