package dev.qsio.it.features;

import jakarta.inject.Singleton;

import dev.qsio.Handshake;
import dev.qsio.NamespaceMatcher;

/** Admits /tenant-X when the client's auth says tenant X. */
@Singleton
public class TenantMatcher implements NamespaceMatcher {

    @Override
    public boolean matches(String name, Handshake handshake) {
        return name.startsWith("/tenant-") && name.substring(8).equals(handshake.auth().path("tenant").asText());
    }
}
