/**
 * The read-only REST API (docs/architecture.md, "Contracts"). Every error is an {@code application/problem+json} body;
 * nothing here reveals a credential or a file path. Path variables are validated here, at the edge.
 * Nothing is null unless marked {@code @Nullable}.
 */
@NullMarked
package dev.computeagent.agent.web;

import org.jspecify.annotations.NullMarked;
