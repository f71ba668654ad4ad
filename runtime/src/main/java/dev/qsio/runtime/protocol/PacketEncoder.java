package dev.qsio.runtime.protocol;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import com.fasterxml.jackson.core.Base64Variant;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.JsonGeneratorDelegate;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.qsio.runtime.engine.JsonText;

import io.vertx.core.buffer.Buffer;

/**
 * Encodes Socket.IO v5 packets in the parser's format. The default parser's:
 * {@code <type>[<attachments>-][<nsp>,][<id>][<json>]}, with each binary value replaced by a
 * {@code {"_placeholder":true,"num":n}} object and sent as attachment {@code n}. The msgpack parser's
 * ({@code socket.io-msgpack-parser}): one binary message, the MessagePack map {@code {type, nsp, [id], [data]}} with
 * binary values in place. Either way the values are written by the application's mapper.
 */
public final class PacketEncoder {

    private final ObjectMapper mapper;
    /** The MessagePack generators' factory with the msgpack parser, else null. */
    private final JsonFactory msgpack;

    PacketEncoder(ObjectMapper mapper, JsonFactory msgpack) {
        this.mapper = mapper;
        this.msgpack = msgpack;
    }

    public ObjectMapper mapper() {
        return mapper;
    }

    /**
     * An EVENT (or BINARY_EVENT) packet: {@code [event, ...args]}. An event under a name the client library keeps for
     * itself ({@link PacketDecoder#RESERVED}) is refused, as Node's server refuses to emit it.
     */
    public Encoded event(String namespace, long id, String event, Object[] args) {
        if (PacketDecoder.RESERVED.contains(event)) {
            throw new IllegalArgumentException("\"" + event + "\" is a reserved event name");
        }
        return encode(PacketKind.EVENT, namespace, id, g -> {
            g.writeStartArray();
            g.writeString(event);
            for (Object arg : args) {
                mapper.writeValue(g, arg);
            }
            g.writeEndArray();
        });
    }

    /** An ACK (or BINARY_ACK) packet carrying the arguments of the acknowledgement. */
    public Encoded ack(String namespace, long id, Object[] args) {
        return encode(PacketKind.ACK, namespace, id, g -> {
            g.writeStartArray();
            for (Object arg : args) {
                mapper.writeValue(g, arg);
            }
            g.writeEndArray();
        });
    }

    /** The CONNECT answer: {@code {"sid": ...}} and any extra fields; no body when null (Socket.IO protocol 4). */
    public Encoded connect(String namespace, JsonNode data) {
        return encode(PacketKind.CONNECT, namespace, -1, data == null ? null : g -> mapper.writeValue(g, data));
    }

    /**
     * The CONNECT answer {@code {"sid": ..., "pid": ...}} ({@code pid} only with connection state recovery). As text it
     * is written directly: every connection gets one, and a JSON generator cost more than the rest of the packet.
     */
    public Encoded connected(String namespace, String sid, String pid) {
        if (msgpack != null) {
            return encode(PacketKind.CONNECT, namespace, -1, g -> {
                g.writeStartObject();
                g.writeStringField("sid", sid);
                if (pid != null) {
                    g.writeStringField("pid", pid);
                }
                g.writeEndObject();
            });
        }
        StringBuilder sb = new StringBuilder(namespace.length() + sid.length() + (pid == null ? 12 : pid.length() + 22));
        sb.append(PacketKind.CONNECT.code());
        if (!"/".equals(namespace)) {
            sb.append(namespace).append(',');
        }
        JsonText.appendString(sb.append("{\"sid\":"), sid);
        if (pid != null) {
            JsonText.appendString(sb.append(",\"pid\":"), pid);
        }
        return new Encoded(sb.append('}').toString(), List.of(), -1);
    }

    /** CONNECT_ERROR with {@code {"message": ..., "data": ...}}. */
    public Encoded connectError(String namespace, String message, Object data) {
        return encode(PacketKind.CONNECT_ERROR, namespace, -1, g -> {
            g.writeStartObject();
            g.writeStringField("message", message);
            if (data != null) {
                g.writeFieldName("data");
                mapper.writeValue(g, data);
            }
            g.writeEndObject();
        });
    }

    /** ERROR (the type of CONNECT_ERROR) with any JSON body: how Socket.IO protocol 4 refuses a namespace. */
    public Encoded error(String namespace, Object payload) {
        return encode(PacketKind.CONNECT_ERROR, namespace, -1, g -> mapper.writeValue(g, payload));
    }

    public Encoded disconnect(String namespace) {
        return encode(PacketKind.DISCONNECT, namespace, -1, null);
    }

    @FunctionalInterface
    interface Body {
        void write(JsonGenerator generator) throws IOException;
    }

    private Encoded encode(PacketKind kind, String namespace, long id, Body body) {
        return msgpack != null ? encodeMsgpack(kind, namespace, id, body) : encodeText(kind, namespace, id, body);
    }

    private Encoded encodeMsgpack(PacketKind kind, String namespace, long id, Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        try (JsonGenerator g = msgpack.createGenerator(out)) {
            g.setCodec(mapper);
            g.writeStartObject();
            g.writeNumberField("type", kind.ordinal());
            g.writeStringField("nsp", namespace);
            if (id >= 0) {
                g.writeNumberField("id", id);
            }
            if (body != null) {
                g.writeFieldName("data");
                body.write(g);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialize Socket.IO payload", e);
        }
        return new Encoded(Buffer.buffer(out.toByteArray()), id);
    }

    private Encoded encodeText(PacketKind kind, String namespace, long id, Body body) {
        List<Buffer> attachments = new ArrayList<>(0);
        String json = null;
        if (body != null) {
            StringWriter out = new StringWriter(64);
            // only EVENT and ACK have binary variants; elsewhere binary values stay JSON (base64 strings)
            boolean binaryCapable = kind == PacketKind.EVENT || kind == PacketKind.ACK;
            try (JsonGenerator g = binaryCapable
                    ? new AttachmentCollector(mapper.getFactory().createGenerator(out), attachments)
                    : mapper.getFactory().createGenerator(out)) {
                body.write(g);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot serialize Socket.IO payload", e);
            }
            json = out.toString();
        }
        PacketKind wireKind = kind;
        if (!attachments.isEmpty()) {
            wireKind = kind == PacketKind.ACK ? PacketKind.BINARY_ACK : PacketKind.BINARY_EVENT;
        }
        StringBuilder sb = new StringBuilder((json == null ? 0 : json.length()) + namespace.length() + 24);
        sb.append(wireKind.code());
        if (!attachments.isEmpty()) {
            sb.append(attachments.size()).append('-');
        }
        if (!"/".equals(namespace)) {
            sb.append(namespace).append(',');
        }
        if (id >= 0) {
            sb.append(id);
        }
        if (json != null) {
            sb.append(json);
        }
        return new Encoded(sb.toString(), attachments, id);
    }

    /** Writes every binary value as a placeholder and keeps the bytes as an attachment. */
    private static final class AttachmentCollector extends JsonGeneratorDelegate {

        private final List<Buffer> attachments;

        AttachmentCollector(JsonGenerator d, List<Buffer> attachments) {
            super(d, false);
            this.attachments = attachments;
        }

        @Override
        public void writeBinary(Base64Variant variant, byte[] data, int offset, int len) throws IOException {
            delegate.writeStartObject();
            delegate.writeBooleanField("_placeholder", true);
            delegate.writeNumberField("num", attachments.size());
            delegate.writeEndObject();
            attachments.add(Buffer.buffer(offset == 0 && len == data.length ? data : Arrays.copyOfRange(data, offset, offset + len)));
        }

        @Override
        public void writeBinary(byte[] data, int offset, int len) throws IOException {
            writeBinary(null, data, offset, len);
        }

        @Override
        public void writeBinary(byte[] data) throws IOException {
            writeBinary(null, data, 0, data.length);
        }

        @Override
        public int writeBinary(Base64Variant variant, InputStream data, int dataLength) throws IOException {
            byte[] bytes = data.readAllBytes();
            writeBinary(variant, bytes, 0, bytes.length);
            return bytes.length;
        }
    }
}
