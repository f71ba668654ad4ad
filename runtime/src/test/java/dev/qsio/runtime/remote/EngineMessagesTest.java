package dev.qsio.runtime.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.qsio.HandshakeRequest;
import dev.qsio.runtime.engine.EnginePacket;
import dev.qsio.runtime.security.IdentitySnapshot;
import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.core.buffer.Buffer;

/** The messages between the engines of a cluster. */
class EngineMessagesTest {

    @Test
    void fieldsAndPacketsRoundTrip() throws Exception {
        List<EnginePacket> packets = List.of(EnginePacket.message("hello"), EnginePacket.message(Buffer.buffer(new byte[] {
                0, 1, (byte) 255 })), EnginePacket.NOOP);
        Buffer message = new EngineMessages.Writer(EngineMessages.Type.DRAIN, "/socket.io/").num(42).str("sid").packets(packets)
                .bool(true).buffer();
        EngineMessages.Reader r = new EngineMessages.Reader(message);
        assertThat(r.path).isEqualTo("/socket.io/");
        assertThat(r.type).isEqualTo(EngineMessages.Type.DRAIN);
        assertThat(r.num()).isEqualTo(42);
        assertThat(r.str()).isEqualTo("sid");
        List<EnginePacket> back = r.packets();
        assertThat(back).extracting(EnginePacket::segment).containsExactlyElementsOf(packets.stream()
                .map(EnginePacket::segment).toList());
        assertThat(back.get(1).binary().getBytes()).containsExactly(0, 1, 255);
        assertThat(r.bool()).isTrue();
    }

    @Test
    void anUnknownTypeIsRefused() {
        Buffer bogus = Buffer.buffer(new byte[] { 0x7f, (byte) 0xa1, 'x' });
        assertThatThrownBy(() -> new EngineMessages.Reader(bogus)).isInstanceOf(IOException.class)
                .hasMessageContaining("unknown engine message");
    }

    @Test
    void aMessageDeclaringMoreThanItCarriesIsRefusedBeforeAllocating() {
        // DRAIN for "/", then a packet list declaring 2^31-1 packets in 1 byte: new ArrayList<>(n) took it as said
        Buffer bogus = Buffer.buffer(new byte[] { 0x00, (byte) 0xa1, '/', (byte) 0xdd, 0x7f, (byte) 0xff, (byte) 0xff,
                (byte) 0xff, 0x01 });
        assertThatThrownBy(() -> new EngineMessages.Reader(bogus)).isInstanceOf(IOException.class)
                .hasMessageContaining("declared");
    }

    @Test
    void anIdentityCrossesAsNameRolesAndExpiryOnly() throws Exception {
        SecurityIdentity ann = IdentitySnapshot.of("ann", Set.of("admin", "user"), 1_800_000_000_000L);
        Buffer message = new EngineMessages.Writer(EngineMessages.Type.UPGRADE_RESPONSE, "/socket.io/").num(7).identity(ann)
                .identity(null).identity(IdentitySnapshot.ANONYMOUS).buffer();
        EngineMessages.Reader r = new EngineMessages.Reader(message);
        assertThat(r.num()).isEqualTo(7);
        SecurityIdentity back = r.identity();
        assertThat(back.getPrincipal().getName()).isEqualTo("ann");
        assertThat(back.getRoles()).containsExactlyInAnyOrder("admin", "user");
        assertThat(IdentitySnapshot.expiresAtMillis(back)).isEqualTo(1_800_000_000_000L);
        assertThat((Long) back.getAttribute(IdentitySnapshot.EXPIRE_TIME)).isEqualTo(1_800_000_000L);
        assertThat(back.getCredentials()).isEmpty();
        assertThat(r.identity()).as("nobody").isNull();
        assertThat(r.identity()).as("anonymous").isNull();
        assertThat(r.more()).isFalse();
    }

    @Test
    void aTakenOverSessionKeepsTheIdentityItsHandshakeEstablished() {
        HandshakeRequest upgrade = new HandshakeRequest("GET", "/socket.io/", Map.of(), Map.of(), "127.0.0.1:1", false,
                Instant.now(), IdentitySnapshot.ANONYMOUS);
        SecurityIdentity ben = IdentitySnapshot.of("ben", Set.of("user"));
        assertThat(RemoteSessions.withIdentity(upgrade, ben).identity()).isSameAs(ben);
        assertThat(RemoteSessions.withIdentity(upgrade, null)).isSameAs(upgrade);
        // the upgrade request authenticated the same principal here: its complete identity is kept
        HandshakeRequest same = new HandshakeRequest("GET", "/socket.io/", Map.of(), Map.of(), null, false, Instant.now(),
                IdentitySnapshot.of("ben", Set.of("user", "extra")));
        assertThat(RemoteSessions.withIdentity(same, ben)).isSameAs(same);
        // another principal on the upgrade does not replace the one of the handshake
        HandshakeRequest other = new HandshakeRequest("GET", "/socket.io/", Map.of(), Map.of(), null, false, Instant.now(),
                IdentitySnapshot.of("eve", Set.of("admin")));
        assertThat(RemoteSessions.withIdentity(other, ben).identity()).isSameAs(ben);
    }
}
