package dev.qsio.runtime.requests;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.vertx.core.Vertx;

/**
 * Requests sent to the other servers of a cluster, each waiting for their answers until it has what it needs or its
 * timeout ends. One mechanism serves the engine's session lookups, the cluster adapter's requests (fetchSockets,
 * serverSideEmit with acknowledgements) and broadcasts with acknowledgements.
 * <p>
 * A request waits for a set of servers (when the cluster knows its members, so that a server that leaves is no
 * longer waited for) or for a number of them (when only the count is known, as on Redis). Each server answers once,
 * or several times when {@link Request#answered} says it has not finished (a broadcast's acknowledgements). A request
 * ends exactly once: {@link Request#completed()} when it is {@link Request#satisfied() satisfied}, or
 * {@link Request#timedOut} when the timeout comes first.
 * <p>
 * Thread-safe: answers may arrive on any thread; a request's methods are called one at a time.
 */
public final class RequestTracker {

    private final Vertx vertx;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, Request> open = new ConcurrentHashMap<>();

    public RequestTracker(Vertx vertx) {
        this.vertx = vertx;
    }

    /** What a request does with its answers. Subclasses decide what an answer means and when they have enough. */
    public abstract static class Request {

        private long id = -1;
        private long timer = -1;
        private boolean ended;
        /** The servers that have not finished answering, or null when they are only counted. */
        private final Set<String> waitingFor;
        private int remaining;

        /** Waits for these servers (member ids). */
        protected Request(Set<String> servers) {
            this(servers, servers.size());
        }

        /** Waits for these servers when {@code servers} is not null, otherwise for {@code count} servers. */
        protected Request(Set<String> servers, int count) {
            this.waitingFor = servers == null ? null : new HashSet<>(servers);
            this.remaining = servers == null ? Math.max(0, count) : servers.size();
        }

        /** Waits for this many servers, not known by name. */
        protected Request(int servers) {
            this.waitingFor = null;
            this.remaining = Math.max(0, servers);
        }

        /** The request id, as sent on the wire. */
        public final long id() {
            return id;
        }

        /** How many servers have not finished answering. */
        protected final int remaining() {
            return remaining;
        }

        /** The servers that have not finished answering, when they are known by name. */
        protected final Set<String> missing() {
            return waitingFor == null ? Set.of() : Set.copyOf(waitingFor);
        }

        /**
         * An answer arrived ({@code from} is null when the wire does not say who sent it). Returns whether that server
         * has finished answering.
         */
        protected abstract boolean answered(String from, Object answer);

        /** Whether the request has all it waits for; by default, once every server finished answering. */
        protected boolean satisfied() {
            return remaining == 0;
        }

        /** A server that had not finished answering left the cluster; it is no longer waited for. */
        protected void left(String member) {
        }

        /** The request got what it waited for. Called once, outside the request's lock. */
        protected abstract void completed();

        /** The timeout ended first. Called once, outside the request's lock. */
        protected abstract void timedOut();

        private boolean finishedBy(String from) {
            if (waitingFor != null) {
                if (from == null || !waitingFor.remove(from)) {
                    return false;
                }
            }
            if (remaining > 0) {
                remaining--;
            }
            return true;
        }
    }

    /**
     * Starts tracking a request: it gets its id and its timer. A request that is already satisfied (no server to
     * wait for) completes at once. Returns the request.
     */
    public <R extends Request> R open(R request, long timeoutMs) {
        start(request, timeoutMs);
        return request;
    }

    private void start(Request request, long timeoutMs) {
        long id = ids.incrementAndGet();
        boolean done;
        synchronized (request) {
            request.id = id;
            open.put(id, request);
            request.timer = vertx.setTimer(Math.max(1, timeoutMs), t -> expire(request));
            done = end(request);
        }
        if (done) {
            request.completed();
        }
    }

    /** An answer to request {@code id}; ignored when the request has ended or is unknown. */
    public void answer(long id, String from, Object answer) {
        Request request = open.get(id);
        if (request == null) {
            return;
        }
        boolean done;
        synchronized (request) {
            if (request.ended) {
                return;
            }
            if (request.answered(from, answer)) {
                request.finishedBy(from);
            }
            done = end(request);
        }
        if (done) {
            request.completed();
        }
    }

    /** A server left the cluster: the requests that waited for it by name stop waiting. */
    public void memberLeft(String member) {
        for (Request request : List.copyOf(open.values())) {
            boolean done;
            synchronized (request) {
                if (request.ended || request.waitingFor == null || !request.waitingFor.contains(member)) {
                    continue;
                }
                request.left(member);
                request.finishedBy(member);
                done = end(request);
            }
            if (done) {
                request.completed();
            }
        }
    }

    /** Whether a request with this id is still waiting. */
    public boolean isOpen(long id) {
        return open.containsKey(id);
    }

    /** How many requests are waiting. */
    public int size() {
        return open.size();
    }

    /** Ends a request now without calling it back (its caller gave up on it). */
    public void cancel(Request request) {
        synchronized (request) {
            if (request.ended) {
                return;
            }
            request.ended = true;
            open.remove(request.id, request);
            vertx.cancelTimer(request.timer);
        }
    }

    /** Ends the request if it is satisfied; called with its lock held. */
    private boolean end(Request request) {
        if (request.ended || !request.satisfied()) {
            return false;
        }
        request.ended = true;
        open.remove(request.id, request);
        if (request.timer >= 0) {
            vertx.cancelTimer(request.timer);
        }
        return true;
    }

    private void expire(Request request) {
        synchronized (request) {
            if (request.ended) {
                return;
            }
            request.ended = true;
            open.remove(request.id, request);
        }
        request.timedOut();
    }
}
