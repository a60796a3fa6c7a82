/**
 * What every module does on the host the same way: {@link dev.computeagent.hostio.AtomicFiles} writes a
 * file that survives a crash whole, {@link dev.computeagent.hostio.ProcessRunner} runs an external
 * program from an argument list under limits with a timeout. Nothing here is null unless documented.
 */
@NullMarked
package dev.computeagent.hostio;

import org.jspecify.annotations.NullMarked;
