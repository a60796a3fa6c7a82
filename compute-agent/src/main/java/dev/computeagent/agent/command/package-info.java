/**
 * Validation at the edge: raw messages become typed commands or typed rejections. Nothing here is null unless documented as such; inputs are validated at the edges.
 */
@NullMarked
package dev.computeagent.agent.command;

import org.jspecify.annotations.NullMarked;
