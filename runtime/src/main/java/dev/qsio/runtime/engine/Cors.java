package dev.qsio.runtime.engine;

import java.time.Duration;
import java.util.List;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * Cross-origin rules for the engine path: CORS headers on polling responses, preflight answers, and the origin
 * check of handshakes on both transports.
 */
public final class Cors {

    private final boolean enabled;
    private final boolean any;
    private final List<String> origins;
    private final boolean credentials;
    private final String maxAge;
    private final String methods;
    private final String allowedHeaders;
    private final String exposedHeaders;
    private final int preflightStatus;

    private Cors(boolean enabled, boolean any, List<String> origins, boolean credentials, String maxAge,
            String methods, String allowedHeaders, String exposedHeaders, int preflightStatus) {
        this.enabled = enabled;
        this.any = any;
        this.origins = origins;
        this.credentials = credentials;
        this.maxAge = maxAge;
        this.methods = methods;
        this.allowedHeaders = allowedHeaders;
        this.exposedHeaders = exposedHeaders;
        this.preflightStatus = preflightStatus;
    }

    /**
     * Rules that allow these origins ({@code *}: any), with credentials or not, and a preflight answer valid for
     * {@code maxAge} (null: not said); no origins: CORS is off.
     */
    static Cors allowing(List<String> origins, boolean credentials, Duration maxAge) {
        return allowing(origins, credentials, maxAge, NODE_METHODS, null);
    }

    /** Node's default of {@code cors.methods}. */
    static final List<String> NODE_METHODS = List.of("GET", "HEAD", "PUT", "PATCH", "POST", "DELETE");

    /**
     * As {@link #allowing(List, boolean, Duration)}, with the methods a preflight answer allows and the request
     * headers it allows (null: those the preflight asks for).
     */
    static Cors allowing(List<String> origins, boolean credentials, Duration maxAge, List<String> methods,
            List<String> allowedHeaders) {
        return allowing(origins, credentials, maxAge, methods, allowedHeaders, null, 204);
    }

    /**
     * As {@link #allowing(List, boolean, Duration, List, List)}, with the response headers a page may read (null:
     * none) and the status of a preflight answer.
     */
    static Cors allowing(List<String> origins, boolean credentials, Duration maxAge, List<String> methods,
            List<String> allowedHeaders, List<String> exposedHeaders, int preflightStatus) {
        if (origins.isEmpty()) {
            return disabled();
        }
        List<String> list = origins.stream().map(String::trim).toList();
        String exposed = exposedHeaders == null ? null : joined(exposedHeaders);
        return new Cors(true, list.contains("*"), list, credentials,
                maxAge == null ? null : String.valueOf(maxAge.toSeconds()), joined(methods),
                allowedHeaders == null ? null : joined(allowedHeaders),
                exposed == null || exposed.isEmpty() ? null : exposed, preflightStatus);
    }

    private static String joined(List<String> values) {
        return String.join(",", values.stream().map(String::trim).filter(v -> !v.isEmpty()).toList());
    }

    static Cors disabled() {
        return new Cors(false, false, List.of(), false, null, "", null, null, 204);
    }

    /** Whether a handshake from this origin may proceed: true unless a list of origins is configured and misses it. */
    boolean originAllowed(String origin) {
        return !enabled || any || origin == null || origins.contains(origin);
    }

    /** Adds the CORS headers that answer this request, if CORS is configured and the origin is allowed. */
    void apply(HttpServerRequest request, HttpServerResponse response) {
        if (!enabled) {
            return;
        }
        String origin = request.getHeader(HttpHeaders.ORIGIN);
        if (any && !credentials) {
            response.putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
        } else if (origin != null && (any || origins.contains(origin))) {
            response.putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            response.putHeader(HttpHeaders.VARY, "Origin");
        } else {
            return;
        }
        if (credentials) {
            response.putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
        }
        if (exposedHeaders != null) {
            response.putHeader(HttpHeaders.ACCESS_CONTROL_EXPOSE_HEADERS, exposedHeaders);
        }
    }

    /** Answers a preflight request, or returns false when CORS is not configured. */
    boolean preflight(HttpServerRequest request, HttpServerResponse response) {
        if (!enabled) {
            return false;
        }
        apply(request, response);
        response.putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_METHODS, methods);
        String requested = request.getHeader(HttpHeaders.ACCESS_CONTROL_REQUEST_HEADERS);
        if (allowedHeaders != null) {
            response.putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_HEADERS, allowedHeaders);
        } else if (requested != null) {
            response.putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_HEADERS, requested);
            response.putHeader(HttpHeaders.VARY, "Origin, Access-Control-Request-Headers");
        }
        if (maxAge != null) {
            response.putHeader(HttpHeaders.ACCESS_CONTROL_MAX_AGE, maxAge);
        }
        response.putHeader(HttpHeaders.CONTENT_LENGTH, "0");
        response.setStatusCode(preflightStatus).end();
        return true;
    }
}
