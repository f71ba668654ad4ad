package dev.qsio.runtime.engine;

/** Engine options for tests that run engine servers of their own, in this package and others. */
public final class TestOptions {

    private TestOptions() {
    }

    /** The server's defaults as far as these tests care: every transport, no CORS, no compression. */
    public static EngineOptions defaults() {
        return new EngineOptions(25_000, 20_000, 10_000, 1_000_000, Transports.ALL, true, Cors.disabled(), null,
                Integer.MAX_VALUE, 30_000, 1L << 24, new Compression(false, 1024, false, 1024, Integer.MAX_VALUE), false,
                AddressLimits.Settings.OFF, 1_000_000, 10_000);
    }
}
