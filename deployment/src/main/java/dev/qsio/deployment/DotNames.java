package dev.qsio.deployment;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.jboss.jandex.DotName;

import com.fasterxml.jackson.databind.JsonNode;

import dev.qsio.Ack;
import dev.qsio.BroadcastContext;
import dev.qsio.EngineIoEndpoint;
import dev.qsio.EngineIoHandler;
import dev.qsio.EventArgs;
import dev.qsio.Middleware;
import dev.qsio.NamespaceMatcher;
import dev.qsio.OnBroadcast;
import dev.qsio.OnConnect;
import dev.qsio.OnAnyEvent;
import dev.qsio.OnDisconnect;
import dev.qsio.OnDisconnecting;
import dev.qsio.OnError;
import dev.qsio.OnEvent;
import dev.qsio.SocketIo;
import dev.qsio.SocketIoSocket;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.common.annotation.RunOnVirtualThread;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;

/** The annotation and type names the processor looks for. */
final class DotNames {

    static final DotName ENGINE_IO_ENDPOINT = DotName.createSimple(EngineIoEndpoint.class);
    static final DotName ENGINE_IO_HANDLER = DotName.createSimple(EngineIoHandler.class);

    static final DotName SOCKET_IO = DotName.createSimple(SocketIo.class);
    static final DotName ON_CONNECT = DotName.createSimple(OnConnect.class);
    static final DotName ON_EVENT = DotName.createSimple(OnEvent.class);
    static final DotName ON_DISCONNECT = DotName.createSimple(OnDisconnect.class);
    static final DotName ON_DISCONNECTING = DotName.createSimple(OnDisconnecting.class);
    static final DotName ON_ANY_EVENT = DotName.createSimple(OnAnyEvent.class);
    static final DotName ON_ERROR = DotName.createSimple(OnError.class);
    static final DotName MIDDLEWARE = DotName.createSimple(Middleware.class);
    static final DotName ON_BROADCAST = DotName.createSimple(OnBroadcast.class);
    static final List<DotName> NAMESPACE_HANDLERS = List.of(ON_CONNECT, ON_EVENT, ON_ANY_EVENT,
            ON_DISCONNECTING, ON_DISCONNECT, ON_ERROR, MIDDLEWARE);

    static final DotName NAMESPACE_MATCHER = DotName.createSimple(NamespaceMatcher.class);
    static final DotName SOCKET = DotName.createSimple(SocketIoSocket.class);
    static final DotName ACK = DotName.createSimple(Ack.class);
    static final DotName EVENT_ARGS = DotName.createSimple(EventArgs.class);
    static final DotName BROADCAST_CONTEXT = DotName.createSimple(BroadcastContext.class);
    static final DotName STRING = DotName.createSimple(String.class);
    static final DotName THROWABLE = DotName.createSimple(Throwable.class);
    static final DotName JSON_NODE = DotName.createSimple(JsonNode.class);
    static final DotName BUFFER = DotName.createSimple(Buffer.class);
    static final DotName UNI = DotName.createSimple(Uni.class);
    static final DotName MULTI = DotName.createSimple(Multi.class);
    static final DotName COMPLETION_STAGE = DotName.createSimple(CompletionStage.class);
    static final DotName COMPLETABLE_FUTURE = DotName.createSimple(CompletableFuture.class);
    static final DotName BLOCKING = DotName.createSimple(Blocking.class);
    static final DotName NON_BLOCKING = DotName.createSimple(NonBlocking.class);
    static final DotName RUN_ON_VIRTUAL_THREAD = DotName.createSimple(RunOnVirtualThread.class);

    private DotNames() {
    }
}
