package dev.qsio.runtime.devmode;

import java.util.concurrent.atomic.AtomicBoolean;

import org.jboss.logging.Logger;

import io.quarkus.dev.spi.HotReplacementContext;
import io.quarkus.dev.spi.HotReplacementSetup;

/**
 * Dev mode: a Socket.IO message checks for changed sources, as an HTTP request does, so that an application used
 * only over WebSocket still reloads. At most one scan every two seconds; the scan runs off the event loop.
 */
public class SocketIoHotReplacement implements HotReplacementSetup {

    private static final Logger LOG = Logger.getLogger(SocketIoHotReplacement.class);
    private static final long INTERVAL_NANOS = 2_000_000_000L;

    private static volatile HotReplacementContext context;
    private static volatile long next;
    private static final AtomicBoolean scanning = new AtomicBoolean();

    @Override
    public void setupHotDeployment(HotReplacementContext ctx) {
        context = ctx;
    }

    /** Called for each message received over WebSocket; cheap when not in dev mode. */
    public static void messageReceived() {
        HotReplacementContext ctx = context;
        if (ctx == null || System.nanoTime() < next || !scanning.compareAndSet(false, true)) {
            return;
        }
        next = System.nanoTime() + INTERVAL_NANOS;
        Thread scan = new Thread(() -> {
            try {
                ctx.doScan(false);
            } catch (Throwable e) {
                LOG.debugf("live reload scan failed: %s", e.getMessage());
            } finally {
                scanning.set(false);
            }
        }, "qsio-live-reload");
        scan.setDaemon(true);
        scan.start();
    }

    @Override
    public void close() {
        context = null;
    }
}
