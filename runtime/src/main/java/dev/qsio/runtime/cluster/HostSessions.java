package dev.qsio.runtime.cluster;

import java.util.Set;

import org.jboss.logging.Logger;

import dev.qsio.runtime.bus.LocalBus;
import dev.qsio.runtime.remote.EnginePeers;
import dev.qsio.runtime.engine.Ids;
import dev.qsio.runtime.handoff.ConnectionHandOff;
import io.vertx.core.http.HttpServerRequest;

/**
 * Where the sessions of this host live, and the way their connections get there. A session id carries a tag naming
 * its owner (a hash of the node id and the owner's bus slot), so that the worker that accepts a request knows at
 * once which worker of the host owns the session, and hands it the connection.
 */
final class HostSessions {

    private static final Logger LOG = Logger.getLogger(HostSessions.class);

    private final int nodeHash;
    private final int slot;
    private final LocalBus local;
    private final ConnectionHandOff handOff;
    /** Whether a request for another worker's session is handed there (else forwarded over the bus). */
    private final boolean handsOver;

    HostSessions(String nodeId, int slot, LocalBus local, ConnectionHandOff handOff, boolean handsOver) {
        this.nodeHash = nodeHash(nodeId);
        this.slot = slot;
        this.local = local;
        this.handOff = handOff;
        this.handsOver = handsOver;
    }

    String newSessionId() {
        return Ids.tagged(nodeHash << 16 | (slot & 0xffff));
    }

    /** The node's part of the tag of its session ids. */
    static int nodeHash(String nodeId) {
        return nodeId.hashCode() & 0xff;
    }

    /** The bus slot of the worker of this host that owns a session, or -1 when the id does not name one. */
    int ownerSlot(String sid) {
        return ownerSlot(nodeHash, sid);
    }

    /** The bus slot of the worker of node {@code nodeHash} that owns a session, or -1 when the id does not name one. */
    static int ownerSlot(int nodeHash, String sid) {
        int tag = Ids.tagOf(sid);
        if (tag < 0 || tag >>> 16 != nodeHash) {
            return -1;
        }
        return tag & 0xffff;
    }

    EnginePeers.HandOff handOff(String sid, HttpServerRequest request) {
        if (!handsOver) {
            return null;
        }
        int owner = ownerSlot(sid);
        // the owner is this worker (then the session is gone), or not a live worker of this host
        if (owner < 0 || owner == (slot & 0xffff) || !liveSlots().contains(owner)) {
            return null;
        }
        String refusal = handOff.refusal(owner, request);
        if (refusal != null) {
            LOG.debugf("request of session %s forwarded to slot %d instead of handed over: %s", sid, owner, refusal);
            return null;
        }
        return body -> handOff.send(owner, request, body);
    }

    private Set<Integer> liveSlots() {
        return local.slots();
    }

    ConnectionHandOff connections() {
        return handOff;
    }
}
