package dev.qsio.bench;

import java.util.Map;

/**
 * What makes a reading a result. A target measured while it was not fully up (a worker still starting or gone, a
 * ramp that reached one worker of two, handshakes that did not complete) gives figures that look like results and
 * are not: a negative memory per connection, a ramp hundreds of times slower than the next round's. Each check here
 * throws, naming what it saw; the run then starts the target again once, and reports it as failed, with its log,
 * when the second start is no better.
 */
final class Soundness {

    /**
     * The fewest connections whose resident memory a reading resolves. Two readings of a process's resident set,
     * each after a full collection, differ by several MB with no connection in between (a JVM's heap shrunk by the
     * collection, Node's given back): seen here under load, -9.5 MB for Node on uWebSockets.js with 1,000
     * connections, -4.8 MB for the raw Netty target. Over fewer connections than this, a resident set per connection
     * is noise, not a figure: it is not reported (NaN), where the live heap, counted exactly, still is.
     */
    static final int RESIDENT_RESOLVES_FROM = 5_000;

    private Soundness() {
    }

    /** The resident memory per connection in KB, or NaN over too few connections to resolve it. */
    static double residentPerConnectionKb(long deltaBytes, int connections) {
        return connections < RESIDENT_RESOLVES_FROM ? Double.NaN
                : Scenarios.round(deltaBytes / 1024.0 / Math.max(1, connections));
    }

    /** Every process that served when the target was ready still runs. */
    static void stillUp(Target t) {
        String why = t.notFullyUp();
        if (why != null) {
            throw new IllegalStateException("not fully up: " + why);
        }
    }

    /**
     * The connection ramps reached every worker, nearly every handshake completed, and the memory the idle
     * connections hold is more than nothing.
     */
    static void connections(Target t, Results.Connections c, Map<String, Long> perPid, int wanted) {
        stillUp(t);
        if (c.clients() < wanted) {
            throw new IllegalStateException("not fully up: " + c.clients() + " of " + wanted + " connections opened");
        }
        if (c.failures() > Math.max(1, wanted / 100)) {
            throw new IllegalStateException("not fully up: " + c.failures() + " handshakes of " + wanted
                    + " failed (the ramps' handshakes that did not complete within the connect timeout)");
        }
        if (t.workers > 1 && perPid.size() < t.workers) {
            throw new IllegalStateException("not fully up: the ramp reached " + perPid.size() + " of " + t.workers
                    + " workers (connections by pid: " + perPid + ")");
        }
        if (c.clients() >= RESIDENT_RESOLVES_FROM) {
            memory("resident memory per idle connection", c.rssPerConnectionKb(),
                    c.rssIdleBytes() - c.rssBaselineBytes());
        }
        // a WebTransport session's QUIC connection is held through its draining period after its close (three probe
        // timeouts): on a loaded machine (CI's tests beside the smoke, load average 8) the smoke's 60 cold sessions
        // were still held at the baseline after the 2 s wait, twice in a row, and their live heap came out below
        // zero. Over so few sessions that reading says when the machine's timers fired, not what a session holds:
        // checked from the same size as the resident set, for this transport
        if (!Double.isNaN(c.liveHeapPerConnectionKb()) && (!t.webTransport || c.clients() >= RESIDENT_RESOLVES_FROM)) {
            memory("live heap per idle connection", c.liveHeapPerConnectionKb(), null);
        }
    }

    /** The connections held added memory to the target. */
    static void held(Results.Held h) {
        if (h.held() >= RESIDENT_RESOLVES_FROM) {
            memory("resident memory per held connection", h.rssPerConnectionKb(), h.rssHeldBytes() - h.rssBaselineBytes());
        }
        if (!Double.isNaN(h.liveHeapPerConnectionKb())) {
            memory("live heap per held connection", h.liveHeapPerConnectionKb(), null);
        }
    }

    /**
     * A memory per connection is positive: what opened connections hold cannot be nothing or less. A reading that
     * says so had a process leave, or memory given back between the two readings that was not the connections'.
     */
    private static void memory(String figure, double kb, Long deltaBytes) {
        if (!(kb > 0)) {
            throw new IllegalStateException("not a result: " + figure + " of " + kb + " KB"
                    + (deltaBytes == null ? "" : " (the target's resident set changed by " + deltaBytes / 1024
                            + " KB in all)"));
        }
    }
}
