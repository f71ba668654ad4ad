#!/usr/bin/env python3
"""Reads a loopback capture of a bench/failover run (tcpdump -i lo -s 96 -w cap.pcap udp) and tells, for the QUIC
connections a client opened in the 40 s after a kill, how long the server took to send its first Initial and its first
1-RTT packet, by 5 s of the connection's start; with --each, every connection's packets (> client, < server; I Initial,
H Handshake, R Retry, S short header; :N the worker slot the destination id names, cN a client-chosen id of N bytes).
  capture.py cap.pcap <server UDP port> '<kill time as the cluster log gives it, e.g. 07:17:03,832>' [--each]"""
import collections, datetime, statistics, struct, sys


def packets(path):
    f = open(path, 'rb')
    head = f.read(24)
    nano = struct.unpack('<I', head[:4])[0] == 0xa1b23c4d
    link = struct.unpack('<I', head[20:24])[0]
    while True:
        h = f.read(16)
        if len(h) < 16:
            return
        sec, frac, incl, _ = struct.unpack('<IIII', h)
        data = f.read(incl)
        ip = data[14 if link == 1 else 16 if link == 113 else 0:]
        if len(ip) < 28 or ip[0] >> 4 != 4 or ip[9] != 17:
            continue
        ihl = (ip[0] & 15) * 4
        sport, dport, ulen = struct.unpack('>HHH', ip[ihl:ihl + 6])
        yield sec + frac / (1e9 if nano else 1e6), sport, dport, ulen - 8, ip[ihl + 8:]


def describe(q, to_server):
    if q[0] & 0x80:
        kind = ['I', '0R', 'H', 'R'][(q[0] >> 4) & 3]
        n = q[5]
        return kind + (':%d' % q[6] if n == 12 else ':c%d' % n)
    return 'S' + (':%d' % q[1] if to_server else '')


def main():
    path, port, kill = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    start = datetime.datetime.strptime('2000-01-01 ' + kill, '%Y-%m-%d %H:%M:%S,%f').time()
    conns = collections.defaultdict(list)
    for t, sp, dp, n, q in packets(path):
        if port in (sp, dp) and q:
            conns[sp if dp == port else dp].append((t, dp == port, describe(q, dp == port)))
    first = min(v[0][0] for v in conns.values())
    day = datetime.datetime.fromtimestamp(first, datetime.timezone.utc).date()
    k = datetime.datetime.combine(day, start, datetime.timezone.utc).timestamp()
    rows = []
    for p, v in conns.items():
        t0 = v[0][0]
        if not k < t0 < k + 40:
            continue
        si = next((t - t0 for t, up, d in v if not up and d.startswith('I')), None)
        ss = next((t - t0 for t, up, d in v if not up and d.startswith('S')), None)
        rows.append((t0 - k, si, ss, p, v))
    rows.sort()
    for b in range(0, 40, 5):
        group = [r for r in rows if b <= r[0] < b + 5]
        if not group:
            continue
        si = [r[1] for r in group if r[1] is not None]
        ss = [r[2] for r in group if r[2] is not None]
        print('start +%d-%ds: %d connections; the server\'s Initial to %d (p50 %.2f s, max %.2f s); its first 1-RTT '
              'packet p50 %.2f s' % (b, b + 5, len(group), len(si), statistics.median(si) if si else 0,
                                      max(si) if si else 0, statistics.median(ss) if ss else 0))
    if '--each' in sys.argv:
        for r in rows:
            t0 = r[4][0][0]
            print(r[3], '+%.1fs' % r[0], ' '.join('%.2f%s%s' % (t - t0, '>' if up else '<', d) for t, up, d in r[4][:60]))


main()
