package dev.computeagent.agent.message;

/** The arguments of a command that takes none ({@code start}, {@code delete}): {@code args} absent, null or {}. */
public record NoArgs() implements CommandArgs {

    /** The one value. */
    public static final NoArgs INSTANCE = new NoArgs();
}
