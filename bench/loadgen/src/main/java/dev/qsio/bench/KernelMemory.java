package dev.qsio.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the kernel holds for sockets, read from {@code /proc}: the slab caches a TCP connection uses (the socket, its
 * inode, file, dentry, epoll entries, bind buckets), all slab memory, and the pages charged to TCP socket buffers
 * ({@code /proc/net/sockstat}). The difference between two readings, over the connections opened between them, is
 * the kernel's floor per connection: on one host, a loopback connection is two sockets, the client's and the
 * server's. {@code /proc/slabinfo} is readable by root only; without it the caches read as absent.
 *
 * @param caches bytes in each slab cache of interest (objects in use times object size)
 * @param slabBytes all slab memory ({@code Slab} in {@code /proc/meminfo})
 * @param tcpBufferBytes pages charged to TCP socket buffers, in bytes
 * @param tcpSockets TCP sockets allocated ({@code alloc} in sockstat)
 */
record KernelMemory(Map<String, Long> caches, long slabBytes, long tcpBufferBytes, long tcpSockets) {

    /** The caches a TCP connection allocates from (names of Linux 6; absent ones read as 0). */
    static final List<String> CACHES = List.of("TCP", "sock_inode_cache", "filp", "dentry", "eventpoll_epi",
            "eventpoll_pwq", "tcp_bind_bucket", "tcp_bind2_bucket", "request_sock_TCP", "tw_sock_TCP",
            "skbuff_head_cache", "skbuff_small_head", "lsm_inode_cache", "lsm_file_cache", "kmalloc-64", "kmalloc-128", "kmalloc-192", "kmalloc-256",
            "kmalloc-512", "kmalloc-1k", "kmalloc-2k", "kmalloc-4k");

    static KernelMemory now() {
        Map<String, Long> caches = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/slabinfo"))) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 3 && CACHES.contains(f[0])) {
                    caches.put(f[0], Long.parseLong(f[1]) * Long.parseLong(f[3]));
                }
            }
        } catch (IOException | RuntimeException e) {
            // not root, or no slabinfo: the caches are unknown
        }
        long slab = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("Slab:")) {
                    slab = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // no meminfo
        }
        long mem = 0;
        long alloc = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/net/sockstat"))) {
                if (line.startsWith("TCP:")) {
                    String[] f = line.split("\\s+");
                    for (int i = 1; i + 1 < f.length; i += 2) {
                        if (f[i].equals("mem")) {
                            mem = Long.parseLong(f[i + 1]) * 4096;
                        } else if (f[i].equals("alloc")) {
                            alloc = Long.parseLong(f[i + 1]);
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // no sockstat
        }
        return new KernelMemory(caches, slab, mem, alloc);
    }

    /** Bytes per connection in each cache and in all, from {@code before} to this reading. */
    Floor since(KernelMemory before, int connections) {
        Map<String, Double> per = new LinkedHashMap<>();
        long cachesTotal = 0;
        for (Map.Entry<String, Long> e : caches.entrySet()) {
            long d = e.getValue() - before.caches.getOrDefault(e.getKey(), 0L);
            cachesTotal += d;
            per.put(e.getKey(), Scenarios.round((double) d / Math.max(1, connections)));
        }
        int n = Math.max(1, connections);
        return new Floor(per, Scenarios.round((double) cachesTotal / n), Scenarios.round((double) (slabBytes - before.slabBytes) / n),
                Scenarios.round((double) (tcpBufferBytes - before.tcpBufferBytes) / n), tcpSockets - before.tcpSockets,
                !caches.isEmpty());
    }

    /**
     * The kernel's memory per connection (both sockets of a loopback connection), in bytes: per slab cache, the sum of
     * those caches, all slab memory (which other work on the machine also moves), and TCP socket buffers.
     *
     * @param readable whether {@code /proc/slabinfo} could be read (root)
     */
    record Floor(Map<String, Double> perCache, double cachesBytes, double slabBytes, double tcpBufferBytes,
            long tcpSocketsAdded, boolean readable) {
    }
}
