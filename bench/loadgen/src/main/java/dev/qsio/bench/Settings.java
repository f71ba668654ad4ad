package dev.qsio.bench;

/**
 * The sizes and durations of a run. The full run keeps every target within about a minute and a half; the smoke
 * run only proves that the harness works end to end.
 *
 * @param clients the connections of the connection ramp and of the large fan-out
 * @param smallClients the receivers of the small fan-out (the large set closed down to this many)
 * @param rampInFlight handshakes in flight at once while ramping
 * @param fixedRate the fixed offered delivery rate (messages per second over all receivers) of both fan-outs; the
 *        ladder doubles it, so that every target is measured at the same rates (25k, 50k, 100k, 200k ...) while it
 *        sustains them, and CPU per delivery compares at equal rates
 * @param maxSteps a safety bound on the windows of one fan-out ladder, which doubles the rate from the fixed one
 *        while windows are sustained (far over any rate the generator can offer on one machine: the ladder ends on
 *        a window that is not sustained, or on one the generator could not offer), then bisects twice between the
 *        best pass and the next failure
 * @param warmupSeconds unmeasured fan-out at the fixed rate before each ladder, and echoes before the ack window
 * @param windowSeconds the length of each measured window
 * @param settleMillis idle time before reading the resident memory of idle connections
 * @param ackClients clients that each keep one {@code echo} with an acknowledgement in flight
 * @param crossWorkerRate events per second published for the cross-worker latency
 * @param p99LimitMillis the latency a fan-out window must stay under to pass
 * @param sustainedP99LimitMillis the latency under which a window still counts as sustained: the ladder climbs
 *        while windows are sustained, so that a size where no rate passes still gets a throughput
 * @param profileSeconds JFR recording of the single Quarkus process during a fan-out; 0 for none
 * @param generatorLoops event loops of the load generator
 * @param pauseMillis quiet time after each window and between targets
 * @param recoverMillis quiet time after a window that was not sustained (an overloaded target)
 * @param heldClients connections of the hold scenario (the smoke run's; {@code --connections-held} sets others)
 * @param holdSeconds how long they are held ({@code --hold})
 * @param heldInFlight handshakes in flight at once while ramping the held connections
 * @param probeHandshakes new clients' handshakes timed while the connections are held
 * @param probeRate their rate, per second
 * @param heldRoomClients the room of the room broadcast timed while the connections are held
 * @param broadcastsToAll broadcasts to every held connection, each timed to its first and last delivery
 * @param probeSeconds the time the probes take, at the end of the hold (the steady window is the rest, at least half)
 * @param idleSeconds the window before the held connections that measures the target's CPU with none
 */
record Settings(String mode, int clients, int smallClients, int rampInFlight, double fixedRate, int maxSteps,
        double warmupSeconds, double windowSeconds, long settleMillis, int ackClients, double crossWorkerRate,
        double p99LimitMillis, double sustainedP99LimitMillis, double profileSeconds, int generatorLoops, long pauseMillis,
        long recoverMillis, int heldClients, double holdSeconds, int heldInFlight, int probeHandshakes, double probeRate,
        int heldRoomClients, int broadcastsToAll, double probeSeconds, double idleSeconds) {

    static Settings full() {
        return new Settings("full", 10_000, 1_000, 200, 25_000, 14, 2, 2, 1_000, 100, 50, 100, 1_000, 5, 2, 300, 3_000,
                100_000, 600, 500, 500, 50, 1_000, 3, 45, 20);
    }

    static Settings smoke() {
        // too few connections for a resident set per connection (Soundness.RESIDENT_RESOLVES_FROM): not reported
        return new Settings("smoke", 60, 20, 20, 600, 2, 0.2, 0.4, 100, 4, 20, 100, 1_000, 0, 2, 100, 200,
                200, 2, 50, 5, 50, 5, 1, 1, 0.5);
    }
}
