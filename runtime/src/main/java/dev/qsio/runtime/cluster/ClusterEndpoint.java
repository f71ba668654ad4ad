package dev.qsio.runtime.cluster;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.qsio.ClusterInfo;
import dev.qsio.WorkerInfo;
import dev.qsio.runtime.config.ClusterConfig;
import io.quarkus.arc.Arc;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

/**
 * The cluster endpoints of the management interface, under {@code /q/socketio/cluster}:
 * <ul>
 * <li>{@code GET} — this process's role and the workers (id, pid, state, ready, restarts, start time);</li>
 * <li>{@code POST .../rolling-restart} — replaces every worker, one at a time (202);</li>
 * <li>{@code POST .../scale?to=n} (or {@code up=n}, {@code down=n}) — answers once done, with the workers;</li>
 * <li>{@code POST .../message} with {@code {"worker": n, "data": ...}} (no worker: all) — a CDI event there.</li>
 * </ul>
 * The {@code POST} endpoints are off unless {@code quarkus.socketio.cluster.control.enabled=true}, and then require
 * {@code Authorization: Bearer <quarkus.socketio.cluster.control.token>}.
 */
public final class ClusterEndpoint implements Handler<RoutingContext> {

    private static final Logger LOG = Logger.getLogger(ClusterEndpoint.class);
    private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules()
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    @Override
    public void handle(RoutingContext ctx) {
        String path = ctx.normalizedPath();
        String action = path.substring(path.indexOf("socketio/cluster") + "socketio/cluster".length());
        if (action.startsWith("/")) {
            action = action.substring(1);
        }
        Primary primary = Arc.container().instance(Primary.class).get();
        ClusterInfo identity = Arc.container().instance(ClusterInfo.class).get();
        if (ctx.request().method() == HttpMethod.GET && action.isEmpty()) {
            ObjectNode body = JSON.createObjectNode()
                    .put("role", identity.role().name().toLowerCase(Locale.ROOT))
                    .put("node", identity.nodeId())
                    .put("pid", identity.pid());
            if (primary.isStarted()) {
                // the connections the primary took on the public port and gave to the workers
                body.putObject("connections").put("routed", primary.connectionsRouted())
                        .put("unavailable", primary.connectionsUnavailable())
                        // QUIC datagrams of a worker that is gone, answered with a stateless reset
                        .put("quicResets", primary.quicResets())
                        // QUIC datagrams the primary read and passed to their worker, and the host's UDP sockets
                        // (those a worker holds, it reads itself)
                        .put("quicRelayed", primary.quicRelayed())
                        .put("quicSockets", primary.quicSockets()[0])
                        .put("quicSocketsHeld", primary.quicSockets()[1]);
            }
            ArrayNode workers = body.putArray("workers");
            if (primary.isStarted()) {
                for (WorkerInfo w : primary.workers()) {
                    ObjectNode node = JSON.valueToTree(w);
                    Figures figures = primary.figuresOf(w.id());
                    if (figures != null) {
                        node.set("stats", figures.toJson());
                    }
                    workers.add(node);
                }
            }
            json(ctx, 200, body);
            return;
        }
        if (ctx.request().method() != HttpMethod.POST) {
            error(ctx, 405, "use GET on /socketio/cluster, POST on its actions");
            return;
        }
        ClusterConfig config = Arc.container().instance(ClusterConfig.class).get();
        if (!config.control().enabled()) {
            error(ctx, 404, "cluster control is disabled (quarkus.socketio.cluster.control.enabled=false)");
            return;
        }
        if (!authorized(ctx, config.control().token()) && !inRole(ctx, config.control().rolesAllowed())) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer");
            error(ctx, 401, config.control().rolesAllowed().isPresent() ? "missing or wrong bearer token, and no "
                    + "identity with a role of quarkus.socketio.cluster.control.roles-allowed"
                    : "missing or wrong bearer token");
            return;
        }
        if (!primary.isStarted()) {
            error(ctx, 409, "this process is not the primary of a cluster");
            return;
        }
        switch (action) {
            case "rolling-restart" -> {
                primary.rollingRestart().subscribe().with(v -> {
                }, e -> LOG.errorf("Rolling restart failed: %s", e.getMessage()));
                json(ctx, 202, JSON.createObjectNode().put("status", "rolling restart started"));
            }
            case "scale" -> scale(ctx, primary);
            case "message" -> body(ctx).onComplete(ar -> {
                try {
                    if (ar.failed()) {
                        throw new IllegalArgumentException("the body could not be read (" + ar.cause().getMessage() + ")");
                    }
                    JsonNode body = JSON.readTree(ar.result().getBytes());
                    if (body == null || !body.isObject()) {
                        throw new IllegalArgumentException("the body is not a JSON object");
                    }
                    if (body.hasNonNull("worker")) {
                        primary.send(body.get("worker").asInt(), body.get("data"));
                    } else {
                        primary.broadcast(body.get("data"));
                    }
                    json(ctx, 202, JSON.createObjectNode().put("status", "sent"));
                } catch (Exception e) {
                    error(ctx, 400, "expected {\"worker\": n, \"data\": ...}: " + e.getMessage());
                }
            });
            default -> error(ctx, 404, "unknown cluster action '" + action + "'");
        }
    }

    private void scale(RoutingContext ctx, Primary primary) {
        int live = (int) primary.workers().stream()
                .filter(w -> w.state().live()).count();
        int target;
        try {
            String to = ctx.request().getParam("to");
            String up = ctx.request().getParam("up");
            String down = ctx.request().getParam("down");
            if (to != null) {
                target = Integer.parseInt(to);
            } else if (up != null) {
                target = live + Integer.parseInt(up);
            } else if (down != null) {
                target = Math.max(0, live - Integer.parseInt(down));
            } else {
                error(ctx, 400, "give to=n, up=n or down=n");
                return;
            }
        } catch (NumberFormatException e) {
            error(ctx, 400, "not a number: " + e.getMessage());
            return;
        }
        if (target < 0) {
            error(ctx, 400, "cannot scale to a negative number of workers");
            return;
        }
        Uni<Void> scaling;
        try {
            scaling = primary.scaleTo(target);
        } catch (IllegalArgumentException e) {
            // beyond max-workers or what the host can carry: nothing was started
            error(ctx, 400, e.getMessage());
            return;
        }
        scaling.subscribe().with(v -> {
            ObjectNode body = JSON.createObjectNode();
            body.set("workers", JSON.valueToTree(primary.workers()));
            json(ctx, 200, body);
        }, e -> error(ctx, 500, "scaling failed: " + e.getMessage()));
    }

    /**
     * The request body: already read when the management router has a body handler (an empty body then has no
     * buffer, and the request cannot be read again), otherwise read now.
     */
    private static Future<Buffer> body(RoutingContext ctx) {
        if (ctx.body() != null && ctx.body().available()) {
            Buffer read = ctx.body().buffer();
            return Future.succeededFuture(read == null ? Buffer.buffer() : read);
        }
        try {
            return ctx.request().body();
        } catch (IllegalStateException alreadyRead) {
            return Future.failedFuture(alreadyRead);
        }
    }

    /** Whether the management interface's authentication gave the request an identity with one of the roles. */
    private static boolean inRole(RoutingContext ctx, Optional<List<String>> roles) {
        if (roles.isEmpty() || !(ctx.user() instanceof QuarkusHttpUser user)) {
            return false;
        }
        SecurityIdentity identity = user.getSecurityIdentity();
        if (identity == null || identity.isAnonymous()) {
            return false;
        }
        for (String role : roles.get()) {
            if (identity.hasRole(role)) {
                return true;
            }
        }
        return false;
    }

    private static boolean authorized(RoutingContext ctx, Optional<String> token) {
        String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (token.isEmpty() || header == null || !header.startsWith("Bearer ")) {
            return false;
        }
        return MessageDigest.isEqual(header.substring(7).trim().getBytes(StandardCharsets.UTF_8),
                token.get().getBytes(StandardCharsets.UTF_8));
    }

    private static void json(RoutingContext ctx, int status, JsonNode body) {
        try {
            ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end(JSON.writeValueAsString(body));
        } catch (Exception e) {
            ctx.fail(e);
        }
    }

    private static void error(RoutingContext ctx, int status, String message) {
        json(ctx, status, JSON.createObjectNode().put("error", message));
    }
}
