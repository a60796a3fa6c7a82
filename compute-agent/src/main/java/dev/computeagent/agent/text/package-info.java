/**
 * Text that came from a message, made safe for logs and events ({@link dev.computeagent.agent.text.Untrusted}).
 * Nothing here is null unless documented as such.
 */
@NullMarked
package dev.computeagent.agent.text;

import org.jspecify.annotations.NullMarked;
