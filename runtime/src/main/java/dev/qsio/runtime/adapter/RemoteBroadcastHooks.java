package dev.qsio.runtime.adapter;

import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The {@link dev.qsio.OnBroadcast} methods of this server, as the cluster adapter reaches them for what other servers
 * broadcast and emit server-side. The server implements it: the adapters name nothing of the server.
 */
public interface RemoteBroadcastHooks {

    /** Whether anything listens to this event: callers skip building arguments otherwise. */
    boolean listens(String namespace, String event);

    /**
     * A broadcast from another server. {@code reply}, when not null, receives the value each method answered (for
     * {@code serverSideEmitWithAck}).
     */
    void deliverRemote(String namespace, String event, List<JsonNode> args, Set<String> rooms, Set<String> except,
            boolean serverSide, int originWorker, String originNode, Consumer<Object> reply);
}
