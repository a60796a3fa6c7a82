/**
 * The config drive: how an instance's identity, SSH keys, network configuration, metadata and user
 * data reach the guest, as Nova writes them for cloud-init's ConfigDrive data source
 * ({@link dev.computeagent.agent.configdrive.OpenStackMetadata} the files,
 * {@link dev.computeagent.agent.configdrive.ConfigDriveBuilder} the ISO). Nothing here is null unless
 * documented as such.
 */
@NullMarked
package dev.computeagent.agent.configdrive;

import org.jspecify.annotations.NullMarked;
