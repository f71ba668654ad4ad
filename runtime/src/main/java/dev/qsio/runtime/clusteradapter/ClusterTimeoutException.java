package dev.qsio.runtime.clusteradapter;

/** A cluster request did not get every answer in time; the message says which servers were missing. */
public final class ClusterTimeoutException extends RuntimeException {

    public ClusterTimeoutException(String message) {
        super(message, null, false, false);
    }
}
