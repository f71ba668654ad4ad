package dev.qsio.runtime.clusteradapter;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;

import dev.qsio.runtime.protocol.Encoded;
import dev.qsio.runtime.protocol.Packet;
import dev.qsio.runtime.protocol.ProtocolException;
import dev.qsio.runtime.protocol.ProtocolJson;

/**
 * An event and its arguments as they cross between servers, in whichever form the wire carries them: the encoded
 * Socket.IO packet (the local bus, which writes it unchanged to local clients) or the event as data (Node's redis
 * adapter). The other form is made only when something needs it, once.
 */
public final class EventPayload {

    private String event;
    private Object[] args;
    private Encoded encoded;
    private ArrayNode data;

    private EventPayload() {
    }

    /** An event this server sends: its arguments and, when already made, its encoded packet. */
    public static EventPayload of(String event, Object[] args, Encoded encoded) {
        EventPayload p = new EventPayload();
        p.event = event;
        p.args = args;
        p.encoded = encoded;
        return p;
    }

    /** An event received as an encoded packet (text and binary attachments). */
    static EventPayload encoded(Encoded encoded) {
        EventPayload p = new EventPayload();
        p.encoded = encoded;
        return p;
    }

    /** An event received as data: {@code [event, ...args]}. */
    public static EventPayload data(ArrayNode data) {
        EventPayload p = new EventPayload();
        p.data = data;
        return p;
    }

    /** The packet for local clients of {@code namespace}, without acknowledgement id. */
    public synchronized Encoded encoded(ProtocolJson json, String namespace) throws ProtocolException {
        if (encoded == null) {
            encoded = json.encoder().event(namespace, -1, event(json), args(json));
        }
        return encoded;
    }

    public synchronized String event(ProtocolJson json) throws ProtocolException {
        if (event == null) {
            ArrayNode d = data(json);
            event = d.get(0).asText();
        }
        return event;
    }

    /** The arguments; JSON trees when received. */
    public synchronized Object[] args(ProtocolJson json) throws ProtocolException {
        if (args == null) {
            ArrayNode d = data(json);
            Object[] a = new Object[d.size() - 1];
            for (int i = 1; i < d.size(); i++) {
                a[i - 1] = d.get(i);
            }
            args = a;
        }
        return args;
    }

    /** The arguments as JSON trees, for {@code @OnBroadcast} methods. */
    public List<JsonNode> argTrees(ProtocolJson json) throws ProtocolException {
        Object[] a = args(json);
        List<JsonNode> trees = new ArrayList<>(a.length);
        for (Object o : a) {
            trees.add(o instanceof JsonNode n ? n : json.mapper().valueToTree(o));
        }
        return trees;
    }

    /** {@code [event, ...args]}, as Node's adapters carry an event; binary values are binary nodes. */
    public synchronized ArrayNode data(ProtocolJson json) throws ProtocolException {
        if (data == null) {
            if (args != null) {
                ObjectMapper mapper = json.mapper();
                ArrayNode d = mapper.createArrayNode().add(event);
                for (Object a : args) {
                    d.add(a instanceof JsonNode n ? n : mapper.valueToTree(a));
                }
                data = d;
            } else {
                Packet packet = json.decode(encoded);
                if (!(packet.data() instanceof ArrayNode array) || array.isEmpty()) {
                    throw new ProtocolException("not an event");
                }
                data = array;
            }
        }
        return data;
    }
}
