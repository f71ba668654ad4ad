package dev.qsio.runtime.remote;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;

import dev.qsio.runtime.codec.BoundedMessagePack;
import dev.qsio.runtime.engine.EngineCodec;
import dev.qsio.runtime.engine.EnginePacket;
import dev.qsio.runtime.engine.MalformedPacketException;
import dev.qsio.runtime.security.IdentitySnapshot;
import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.core.buffer.Buffer;

/**
 * The messages between the engines of a cluster, after {@code @socket.io/cluster-engine}: a worker that receives a
 * request for a session it does not own asks who does (ACQUIRE_LOCK), then forwards the client's packets to the owner
 * (PACKET) and the owner's packets to the client (DRAIN); a WebSocket upgrade on another worker takes the session
 * over if the owner has not handed it to the application yet (UPGRADE, UPGRADE_RESPONSE). Packets travel in their
 * polling text form. Encoded with msgpack: {@code [type, path, fields...]}.
 */
final class EngineMessages {

    enum Type {
        ACQUIRE_LOCK,
        ACQUIRE_LOCK_RESPONSE,
        DRAIN,
        PACKET,
        UPGRADE,
        UPGRADE_RESPONSE,
        CLOSE;

        static final Type[] ALL = values();
    }

    /** The outcome of ACQUIRE_LOCK from one server. */
    static final int LOCK_GRANTED = 0;
    static final int LOCK_REFUSED = 1;
    static final int NOT_HERE = 2;

    private EngineMessages() {
    }

    static final class Writer {
        private final MessageBufferPacker p = MessagePack.newDefaultBufferPacker();

        Writer(Type type, String path) {
            try {
                p.packInt(type.ordinal()).packString(path);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        Writer str(String s) {
            try {
                p.packString(s);
                return this;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        Writer num(long n) {
            try {
                p.packLong(n);
                return this;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        Writer bool(boolean b) {
            try {
                p.packBoolean(b);
                return this;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        Writer packets(List<EnginePacket> packets) {
            try {
                p.packArrayHeader(packets.size());
                for (EnginePacket packet : packets) {
                    p.packString(packet.segment());
                }
                return this;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /**
         * Who a session's client is, as its handshake established: nil when nobody, else {@code [name, expiresAtMillis,
         * [roles...]]} (never credentials).
         */
        Writer identity(SecurityIdentity identity) {
            try {
                IdentitySnapshot who = IdentitySnapshot.of(identity);
                if (who.isAnonymous()) {
                    p.packNil();
                    return this;
                }
                p.packArrayHeader(3).packString(who.getPrincipal().getName()).packLong(IdentitySnapshot.expiresAtMillis(who));
                p.packArrayHeader(who.getRoles().size());
                for (String role : who.getRoles()) {
                    p.packString(role);
                }
                return this;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        Buffer buffer() {
            return Buffer.buffer(p.toByteArray());
        }
    }

    static final class Reader {
        final MessageUnpacker u;
        final Type type;
        final String path;

        Reader(Buffer message) throws IOException {
            byte[] bytes = message.getBytes();
            BoundedMessagePack.checkAll(bytes);
            u = MessagePack.newDefaultUnpacker(bytes);
            int t = u.unpackInt();
            if (t < 0 || t >= Type.ALL.length) {
                throw new IOException("unknown engine message " + t);
            }
            type = Type.ALL[t];
            path = u.unpackString();
        }

        String str() throws IOException {
            return u.unpackString();
        }

        long num() throws IOException {
            return u.unpackLong();
        }

        boolean bool() throws IOException {
            return u.unpackBoolean();
        }

        /** Whether the message has more fields (a field added later is absent from older servers' messages). */
        boolean more() throws IOException {
            return u.hasNext();
        }

        /** An identity written by {@link Writer#identity}; null for nobody. */
        SecurityIdentity identity() throws IOException {
            if (u.tryUnpackNil()) {
                return null;
            }
            u.unpackArrayHeader();
            String name = u.unpackString();
            long expiresAt = u.unpackLong();
            int n = u.unpackArrayHeader();
            Set<String> roles = new HashSet<>(n);
            for (int i = 0; i < n; i++) {
                roles.add(u.unpackString());
            }
            return IdentitySnapshot.of(name, roles, expiresAt);
        }

        List<EnginePacket> packets() throws IOException {
            int n = u.unpackArrayHeader();
            List<EnginePacket> list = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                try {
                    list.add(EngineCodec.decode(u.unpackString()));
                } catch (MalformedPacketException e) {
                    throw new IOException(e.getMessage());
                }
            }
            return list;
        }
    }
}
