package dev.qsio.test.webtransport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** The WebTransport tests' certificate. */
final class TestCertificate {

    private TestCertificate() {
    }

    /** A self-signed ECDSA certificate and its key, made once under target/ with openssl; the file's path. */
    static synchronized String file(String file) {
        Path dir = Path.of("target", "webtransport-permissions");
        try {
            if (!Files.isRegularFile(dir.resolve("key.pem"))) {
                Files.createDirectories(dir);
                Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "key.pem", "-out", "cert.pem", "-days", "2",
                        "-subj", "/CN=localhost").directory(dir.toFile()).redirectErrorStream(true).start();
                String output = new String(p.getInputStream().readAllBytes());
                if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new IllegalStateException("openssl could not make a certificate: " + output);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("openssl is needed to make the test's certificate", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return dir.resolve(file).toAbsolutePath().toString();
    }
}
