package dev.computeagent.virt.libvirt.binding;

import dev.computeagent.virt.LifecycleEvent;
import dev.computeagent.virt.PowerState;
import org.libvirt.DomainInfo.DomainState;
import org.libvirt.event.DomainEvent;
import org.libvirt.event.DomainEventDetail;
import org.libvirt.event.ResumedDetail;
import org.libvirt.event.StoppedDetail;

/** libvirt's domain states and event types in the API's terms. */
final class EventMapping {

    private EventMapping() {
    }

    static PowerState powerState(DomainState state) {
        if (state == null) {
            return PowerState.NOSTATE;
        }
        return switch (state) {
            case VIR_DOMAIN_RUNNING, VIR_DOMAIN_BLOCKED -> PowerState.RUNNING;
            case VIR_DOMAIN_PAUSED, VIR_DOMAIN_PMSUSPENDED -> PowerState.PAUSED;
            case VIR_DOMAIN_SHUTDOWN, VIR_DOMAIN_SHUTOFF -> PowerState.SHUTDOWN;
            case VIR_DOMAIN_CRASHED -> PowerState.CRASHED;
            case VIR_DOMAIN_NOSTATE -> PowerState.NOSTATE;
        };
    }

    static LifecycleEvent.Type type(DomainEvent event) {
        return switch (event.getType()) {
            case DEFINED -> LifecycleEvent.Type.DEFINED;
            case UNDEFINED -> LifecycleEvent.Type.UNDEFINED;
            case STARTED -> LifecycleEvent.Type.STARTED;
            case SUSPENDED, PMSUSPENDED -> LifecycleEvent.Type.SUSPENDED;
            // resumed at the end of an incoming migration, or on the source after a cancelled one (a resume while
            // still in post-copy has a detail of its own)
            case RESUMED -> event.getDetail() == ResumedDetail.MIGRATED ? LifecycleEvent.Type.ARRIVED
                    : LifecycleEvent.Type.RESUMED;
            case STOPPED -> stoppedType(event);
            case SHUTDOWN -> LifecycleEvent.Type.SHUTDOWN;
            case CRASHED -> LifecycleEvent.Type.CRASHED;
            default -> LifecycleEvent.Type.OTHER;
        };
    }

    static PowerState impliedState(LifecycleEvent.Type type) {
        return switch (type) {
            case STARTED, RESUMED, ARRIVED -> PowerState.RUNNING;
            case SUSPENDED -> PowerState.PAUSED;
            case STOPPED, SHUTDOWN, DEFINED, MIGRATED -> PowerState.SHUTDOWN;
            case CRASHED -> PowerState.CRASHED;
            case UNDEFINED, OTHER -> PowerState.NOSTATE;
        };
    }

    private static LifecycleEvent.Type stoppedType(DomainEvent event) {
        DomainEventDetail detail = event.getDetail();
        if (detail == StoppedDetail.CRASHED) {
            return LifecycleEvent.Type.CRASHED;
        }
        if (detail == StoppedDetail.MIGRATED) {
            return LifecycleEvent.Type.MIGRATED;
        }
        return LifecycleEvent.Type.STOPPED;
    }
}
