package dev.computeagent.virt.fake;

/** The {@link FakeComputeDriver} calls a failure can be injected into. */
public enum FakeOperation {
    SPAWN, START, STOP, REBOOT, DESTROY, INFO, LIST, INTERFACES, UPDATE_ANNOTATIONS, HOST_RESOURCES, GUEST_AGENT,
    PAUSE, UNPAUSE, SUSPEND, RESUME, REDEFINE, COPY_ROOT_DISK,
    FINISH_INTERRUPTED_COPY
}
