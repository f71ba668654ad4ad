package dev.qsio.runtime.cluster;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jboss.logging.Logger;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;

import dev.qsio.runtime.config.SocketIoRuntimeConfig;

/**
 * How this process's heap gives memory back ({@code quarkus.socketio.heap.*}), set at startup in every process of a
 * host alike: the single process, the primary and each worker (which the primary starts with its own JVM options, so
 * a flag set on the primary's command line holds for the workers too). It sets the JVM's manageable flags, those a
 * running JVM accepts: a flag whose value came from the command line, the environment or a flags file is left alone.
 */
final class HeapSizing {

    private static final Logger LOG = Logger.getLogger(HeapSizing.class);

    private HeapSizing() {
    }

    /** Applies the settings; returns the flags set and their values (empty when off or nothing could be set). */
    static Map<String, String> apply(SocketIoRuntimeConfig.Heap heap) {
        Map<String, String> set = new LinkedHashMap<>();
        if (!heap.enabled()) {
            return set;
        }
        HotSpotDiagnosticMXBean vm;
        try {
            vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        } catch (RuntimeException | LinkageError notHotSpot) {
            LOG.debugf("quarkus.socketio.heap: not a HotSpot JVM (%s), its heap sizing left as it is", notHotSpot);
            return set;
        }
        if (vm == null) {
            return set;
        }
        // the JVM refuses a MinHeapFreeRatio above MaxHeapFreeRatio at every moment: the minimum first (lowered),
        // then the maximum, never below a minimum the user chose
        int min = heap.minFreePercent();
        int userMin = userValue(vm, "MinHeapFreeRatio");
        if (userMin < 0) {
            set(vm, "MinHeapFreeRatio", String.valueOf(min), set);
        }
        if (userValue(vm, "MaxHeapFreeRatio") < 0) {
            set(vm, "MaxHeapFreeRatio", String.valueOf(Math.max(heap.maxFreePercent(), Math.max(userMin, 0))), set);
        }
        long periodic = heap.periodicCollection().toMillis();
        if (periodic > 0 && g1() && userValue(vm, "G1PeriodicGCInterval") < 0) {
            set(vm, "G1PeriodicGCInterval", String.valueOf(periodic), set);
        }
        if (!set.isEmpty()) {
            LOG.debugf("quarkus.socketio.heap: %s", set);
        }
        return set;
    }

    /** The value of a flag set by the user (command line, environment, flags file), else -1. */
    private static int userValue(HotSpotDiagnosticMXBean vm, String flag) {
        try {
            VMOption o = vm.getVMOption(flag);
            return switch (o.getOrigin()) {
                case DEFAULT, ERGONOMIC -> -1;
                default -> (int) Math.min(Integer.MAX_VALUE, Long.parseLong(o.getValue()));
            };
        } catch (IllegalArgumentException unknown) {
            // a JVM without the flag: treated as the user's, so that nothing tries to set it
            return Integer.MAX_VALUE;
        }
    }

    private static void set(HotSpotDiagnosticMXBean vm, String flag, String value, Map<String, String> set) {
        try {
            vm.setVMOption(flag, value);
            set.put(flag, value);
        } catch (IllegalArgumentException | SecurityException refused) {
            LOG.debugf("quarkus.socketio.heap: %s=%s refused by the JVM: %s", flag, value, refused.getMessage());
        }
    }

    private static boolean g1() {
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc.getName().startsWith("G1 ")) {
                return true;
            }
        }
        return false;
    }
}
