package dev.qsio.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.compression.ZlibCodecFactory;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionData;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionFilter;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionFilterProvider;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtension;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateServerExtensionHandshaker;

/**
 * What compression costs the server per message, measured on the code paths the extension uses: Netty's
 * permessage-deflate encoder as the server negotiates it (zlib level 6, context takeover, the 1024-byte threshold)
 * for one WebSocket connection, and gzip of a polling response. For each payload: CPU time per message on this
 * thread (after a warm-up), and the bytes sent against the bytes of the message. Run with {@code bench/compression}.
 */
public final class CompressionCost {

    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws IOException {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        // 256 different messages of each kind, sent in turn: the same message again and again would compress to
        // almost nothing against the window of the previous one
        Map<String, byte[][]> payloads = new LinkedHashMap<>();
        payloads.put("chat message (JSON, ~130 B)", variants(i -> "42[\"message\",{\"user\":\"user-" + i
                + "\",\"room\":\"lobby\",\"text\":\"see you at the standup in " + (i % 60)
                + " minutes\",\"at\":" + (1763812345678L + 7919L * i) + "}]"));
        payloads.put("list of 20 records (JSON, ~2 KB)", variants(i -> records(20, i)));
        payloads.put("list of 200 records (JSON, ~20 KB)", variants(i -> records(200, i)));
        payloads.put("random bytes as base64 (~20 KB)", variants(i -> randomBase64(15_000, i)));
        System.out.printf("%-36s %8s %18s %12s %16s %10s%n", "payload", "bytes", "deflate +ns/msg", "deflate out",
                "gzip ns/resp", "gzip out");
        for (Map.Entry<String, byte[][]> p : payloads.entrySet()) {
            byte[][] m = p.getValue();
            long[] deflate = deflate(m, messages);
            long[] gzip = gzip(m, Math.max(1000, messages / 10));
            long size = 0;
            for (byte[] b : m) {
                size += b.length;
            }
            size /= m.length;
            System.out.printf("%-36s %8d %18d %11d%% %16d %9d%%%n", p.getKey(), size, deflate[0],
                    100 * deflate[1] / size, gzip[0], 100 * gzip[1] / size);
        }
    }

    private static byte[][] variants(java.util.function.IntFunction<String> make) {
        byte[][] v = new byte[256][];
        for (int i = 0; i < v.length; i++) {
            v[i] = make.apply(i).getBytes(StandardCharsets.UTF_8);
        }
        return v;
    }

    /**
     * CPU ns per message that one connection's permessage-deflate encoder adds (against the same frames through a
     * channel without it), and bytes per message out of it.
     */
    static long[] deflate(byte[][] messages, int n) {
        WebSocketExtensionFilter small = frame -> frame.content().readableBytes() < 1024;
        PerMessageDeflateServerExtensionHandshaker handshaker = new PerMessageDeflateServerExtensionHandshaker(6,
                ZlibCodecFactory.isSupportingWindowSizeAndMemLevel(), 15, false, false,
                new WebSocketExtensionFilterProvider() {
                    @Override
                    public WebSocketExtensionFilter encoderFilter() {
                        return small;
                    }

                    @Override
                    public WebSocketExtensionFilter decoderFilter() {
                        return WebSocketExtensionFilter.NEVER_SKIP;
                    }
                });
        WebSocketServerExtension extension = handshaker.handshakeExtension(
                new WebSocketExtensionData("permessage-deflate", Map.of()));
        ByteBuf[] shared = new ByteBuf[messages.length];
        for (int i = 0; i < messages.length; i++) {
            shared[i] = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(messages[i]));
        }
        EmbeddedChannel plain = new EmbeddedChannel(new io.netty.channel.ChannelOutboundHandlerAdapter());
        EmbeddedChannel channel = new EmbeddedChannel(extension.newExtensionEncoder());
        run(plain, shared, n / 5);
        run(channel, shared, n / 5);
        long start = CPU.getCurrentThreadCpuTime();
        run(plain, shared, n);
        long base = CPU.getCurrentThreadCpuTime() - start;
        start = CPU.getCurrentThreadCpuTime();
        long bytes = run(channel, shared, n);
        long cpu = CPU.getCurrentThreadCpuTime() - start;
        channel.finishAndReleaseAll();
        plain.finishAndReleaseAll();
        return new long[] { Math.max(0, cpu - base) / n, bytes / n };
    }

    private static long run(EmbeddedChannel channel, ByteBuf[] messages, int n) {
        long bytes = 0;
        for (int i = 0; i < n; i++) {
            channel.writeOutbound(new TextWebSocketFrame(messages[i % messages.length].duplicate()));
            WebSocketFrame out = channel.readOutbound();
            bytes += out.content().readableBytes();
            out.release();
        }
        return bytes;
    }

    /** CPU ns per response and bytes per response of gzip, as a polling response is compressed. */
    static long[] gzip(byte[][] bodies, int n) throws IOException {
        for (int i = 0; i < n / 5; i++) {
            gzipOnce(bodies[i % bodies.length]);
        }
        long start = CPU.getCurrentThreadCpuTime();
        long bytes = 0;
        for (int i = 0; i < n; i++) {
            bytes += gzipOnce(bodies[i % bodies.length]);
        }
        long cpu = CPU.getCurrentThreadCpuTime() - start;
        return new long[] { cpu / n, bytes / n };
    }

    private static int gzipOnce(byte[] body) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length / 2 + 64);
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(body);
        }
        return out.size();
    }

    private static String records(int n, int seed) {
        StringBuilder sb = new StringBuilder("42[\"orders\",[");
        Random random = new Random(seed);
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append("{\"id\":").append(100_000 + 1000 * seed + i).append(",\"customer\":\"customer-").append(random.nextInt(500))
                    .append("\",\"status\":\"").append(i % 3 == 0 ? "shipped" : "pending").append("\",\"total\":")
                    .append(random.nextInt(100_000) / 100.0).append(",\"items\":").append(1 + random.nextInt(9))
                    .append('}');
        }
        return sb.append("]]").toString();
    }

    private static String randomBase64(int bytes, int seed) {
        byte[] b = new byte[bytes];
        new Random(seed).nextBytes(b);
        return "42[\"blob\",\"" + java.util.Base64.getEncoder().encodeToString(b) + "\"]";
    }
}
