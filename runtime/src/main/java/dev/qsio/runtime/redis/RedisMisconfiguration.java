package dev.qsio.runtime.redis;

/**
 * Redis answered, and what it is does not match the configuration (a single server where a cluster was configured,
 * or the other way round): retrying cannot help, startup fails naming the key.
 */
public final class RedisMisconfiguration extends RuntimeException {

    private final String key;

    public RedisMisconfiguration(String key, String message) {
        super(message);
        this.key = key;
    }

    /** The configuration key to change. */
    public String key() {
        return key;
    }
}
