/**
 * The config drive: how an instance's user data and metadata reach the guest (cloud-init's
 * ConfigDrive data source). Nothing here is null unless documented as such.
 */
@NullMarked
package dev.computeagent.agent.configdrive;

import org.jspecify.annotations.NullMarked;
