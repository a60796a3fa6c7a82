package dev.computeagent.virt.libvirt.binding;

/** What the driver was doing when libvirt failed; some error numbers mean different things per call. */
public enum LibvirtCall {
    OPEN, DEFINE, CREATE, LOOKUP, SHUTDOWN, DESTROY, RESET, UNDEFINE, INFO, XML, METADATA, ADDRESSES, LIST, NODE, EVENTS,
    AGENT, NETWORK, NWFILTER, OTHER,
    PAUSE, UNPAUSE, SAVE, BLOCK_JOB, ATTACH, DETACH, SECRET
}
