/**
 * What putting an instance on this host takes, the same for a spawn and an arriving migration: the
 * capacity rule ({@link dev.computeagent.agent.provision.HostCapacity}), the instance's disks and spec
 * ({@link dev.computeagent.agent.provision.InstanceProvisioner}), what an image's properties ask for
 * ({@link dev.computeagent.agent.provision.ImageProperties}). Nothing here is null unless annotated
 * {@code @Nullable}.
 */
@NullMarked
package dev.computeagent.agent.provision;

import org.jspecify.annotations.NullMarked;
