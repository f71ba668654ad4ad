package dev.qsio.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Kernel counters that explain latency outliers over loopback: TCP segments retransmitted, and packets dropped
 * because a CPU's input backlog ({@code net.core.netdev_max_backlog}) was full, which a broadcast to thousands of
 * sockets at once can cause. Machine-wide, so other work on the machine shows up too.
 */
record NetStats(long tcpRetransmits, long backlogDrops) {

    static NetStats now() {
        return new NetStats(retransmits(), drops());
    }

    NetStats since(NetStats before) {
        return new NetStats(tcpRetransmits - before.tcpRetransmits, backlogDrops - before.backlogDrops);
    }

    private static long retransmits() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/net/snmp"));
            for (int i = 0; i + 1 < lines.size(); i++) {
                if (lines.get(i).startsWith("Tcp:") && lines.get(i + 1).startsWith("Tcp:")) {
                    List<String> names = List.of(lines.get(i).split("\\s+"));
                    return Long.parseLong(lines.get(i + 1).split("\\s+")[names.indexOf("RetransSegs")]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or a format we do not know: no counter
        }
        return 0;
    }

    private static long drops() {
        long total = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/net/softnet_stat"))) {
                total += Long.parseLong(line.trim().split("\\s+")[1], 16);
            }
        } catch (IOException | RuntimeException e) {
            // no counter
        }
        return total;
    }
}
