package dev.qsio.it.features;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Singleton;

import dev.qsio.AsyncHandshakeFilter;
import dev.qsio.HandshakeFilter.Decision;
import dev.qsio.HandshakeRequest;
import io.smallrye.mutiny.Uni;

/**
 * Admits a handshake that carries a {@code ticket} query parameter only if the ticket store knows it, asked without
 * blocking: the store answers 50 ms later on another thread, as a reactive client of Redis or a database would.
 * Handshakes without a ticket pass at once.
 */
@Singleton
public class Tickets implements AsyncHandshakeFilter {

    /** What the store knows. */
    static final Set<String> KNOWN = Set.of("valid-ticket");

    @Override
    public Uni<Decision> check(HandshakeRequest request) {
        String ticket = request.queryParam("ticket");
        if (ticket == null) {
            return Uni.createFrom().item(Decision.allow());
        }
        return Uni.createFrom().completionStage(() -> CompletableFuture.supplyAsync(
                () -> KNOWN.contains(ticket) ? Decision.allow() : Decision.refuse("Unknown ticket"),
                CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS)));
    }
}
