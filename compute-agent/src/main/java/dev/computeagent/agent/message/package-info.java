/**
 * The wire format of DESIGN.md §3: command envelopes, their arguments, events. These records are
 * the contract; the AsyncAPI document in {@code resources/asyncapi/} describes the same shapes and
 * tests hold the two together. Validation of incoming commands happens at the edge, before these
 * records reach a handler.
 */
package dev.computeagent.agent.message;
