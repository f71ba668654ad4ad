package dev.qsio.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.LongAdder;

import com.sun.net.httpserver.HttpServer;

/**
 * An OTLP/HTTP receiver that reads each export and accepts it (an empty protobuf answer is an empty
 * {@code ExportTraceServiceResponse}), so that {@code qsio-traced} pays for exporting every span as it would to a
 * collector. Its CPU is counted as the generator's.
 */
final class OtlpSink {

    static final LongAdder EXPORTS = new LongAdder();
    static final LongAdder BYTES = new LongAdder();

    private OtlpSink() {
    }

    static void start(int port) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
            server.createContext("/v1/traces", exchange -> {
                try (InputStream body = exchange.getRequestBody()) {
                    BYTES.add(body.transferTo(java.io.OutputStream.nullOutputStream()));
                }
                EXPORTS.increment();
                exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
            });
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("the OTLP sink cannot listen on " + port, e);
        }
    }
}
