package dev.qsio.it.nodesuites.cluster;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import dev.qsio.OnBroadcast;
import dev.qsio.SocketIo;
import io.smallrye.mutiny.Uni;

/**
 * The server-side emits of {@code socket.io-cluster-adapter/test/index.ts}, on a namespace that every server declares
 * from its start. Each emit carries the namespace of its case, by which a server keeps what it heard and finds the
 * answer the case gave it ({@code answer-with} in {@link AdapterNamespaces}): Node's {@code io.on("hello with ack")}
 * registered on that worker alone.
 */
@SocketIo(ServerSideEmits.NAMESPACE)
public class ServerSideEmits {

    static final String NAMESPACE = "/cluster-servers";

    /** What this server answers, by case: a value, or {@code "$silent"} for no answer at all. */
    static final Map<String, JsonNode> ANSWERS = new ConcurrentHashMap<>();
    /** The arguments of the {@code "hello"} emits this server received, by case. */
    static final Map<String, List<JsonNode>> HEARD = new ConcurrentHashMap<>();

    @OnBroadcast(value = "hello", namespace = NAMESPACE)
    void hello(String world, int one, String two, String forCase) {
        HEARD.computeIfAbsent(forCase, c -> new CopyOnWriteArrayList<>())
                .add(JsonNodeFactory.instance.arrayNode().add(world).add(one).add(two));
    }

    /** Node's {@code io.on("hello with ack", (cb) => cb(...))}, or a listener that never calls back. */
    @OnBroadcast(value = "hello with ack", namespace = NAMESPACE)
    Uni<JsonNode> helloWithAck(String forCase) {
        JsonNode answer = ANSWERS.get(forCase);
        if (answer != null && "$silent".equals(answer.asText())) {
            return Uni.createFrom().nothing();
        }
        return Uni.createFrom().item(answer);
    }
}
