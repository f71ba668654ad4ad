package dev.qsio.test;

import java.lang.management.ManagementFactory;

/**
 * What the server's event loops have allocated, for tests that count what a path costs without timing it (the
 * tests' own sockets are blocking, on the test's thread, and allocate there).
 */
public final class EventLoopAllocations {

    private EventLoopAllocations() {
    }

    /** Bytes every Vert.x event loop thread has allocated so far, all together. */
    public static long allocatedOnEventLoops() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("vert.x-eventloop")) {
                sum += Math.max(0, threads.getThreadAllocatedBytes(t.getId()));
            }
        }
        return sum;
    }
}
