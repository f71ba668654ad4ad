package dev.qsio.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Machine-wide kernel counters that tell whether a window was disturbed: the CPU time all processes used (minus the
 * target's and the generator's, it is the work of others on the machine), TCP segments retransmitted, and packets
 * dropped because a CPU's input backlog ({@code net.core.netdev_max_backlog}) was full, which a broadcast to
 * thousands of sockets at once can cause over loopback, and UDP datagrams dropped because their socket's receive
 * buffer was full ({@code UdpRcvbufErrors}: QUIC's clients and servers then send them again after a timeout).
 */
record SystemCounters(double busyCpuSeconds, long tcpRetransmits, long backlogDrops, long udpReceiveDrops) {

    private static final double TICKS = 100.0;

    static SystemCounters now() {
        return new SystemCounters(busy(), snmp("Tcp:", "RetransSegs"), drops(), snmp("Udp:", "RcvbufErrors"));
    }

    SystemCounters since(SystemCounters before) {
        return new SystemCounters(busyCpuSeconds - before.busyCpuSeconds, tcpRetransmits - before.tcpRetransmits,
                backlogDrops - before.backlogDrops, udpReceiveDrops - before.udpReceiveDrops);
    }

    /** CPU seconds spent by the whole machine, not idle nor waiting for I/O ({@code /proc/stat}). */
    private static double busy() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < Math.min(f.length, 9); i++) {
                total += Long.parseLong(f[i]);
            }
            return (total - Long.parseLong(f[4]) - Long.parseLong(f[5])) / TICKS;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** A counter of {@code /proc/net/snmp}: its line pair {@code protocol} (names, then values), its column {@code name}. */
    private static long snmp(String protocol, String name) {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/net/snmp"));
            for (int i = 0; i + 1 < lines.size(); i++) {
                if (lines.get(i).startsWith(protocol) && lines.get(i + 1).startsWith(protocol)) {
                    List<String> names = List.of(lines.get(i).split("\\s+"));
                    return Long.parseLong(lines.get(i + 1).split("\\s+")[names.indexOf(name)]);
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
