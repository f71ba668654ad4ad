package dev.qsio.runtime.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.qsio.runtime.protocol.ProtocolException;
import dev.qsio.runtime.protocol.ProtocolJson;
import io.vertx.core.buffer.Buffer;

/**
 * MessagePack whose headers declare more than the bytes carry is refused before anything is allocated: the decoder
 * of clients' packets answers {@link ProtocolException} (which closes that session), and every mapper the project
 * reads peers' MessagePack with refuses it the same way.
 */
class BoundedMessagePackTest {

    private static final ProtocolJson PROTOCOL = ProtocolJson.from(new ObjectMapper(), ProtocolJson.Parser.MSGPACK);

    private static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex.replace(" ", ""));
    }

    @Test
    void elevenBytesDeclaringATwoGigabyteStringCloseTheSessionInsteadOfTheJvm() {
        // a str32 declaring 0x7fffffff bytes, followed by 6: before, msgpack-core allocated 2 GB and the worker died
        byte[] packet = hex("db 7f ff ff ff 74 61 8d 82 00 00");
        assertThatThrownBy(() -> PROTOCOL.decoder(8).onBinary(Buffer.buffer(packet)))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("a string of 2147483647 bytes declared with 6 left");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "a string inside a map, 81 a4 64 61 74 61 db 7f ff ff f0 41",
            "a binary (bin32), c6 7f ff ff ff 01 02",
            "a binary (bin8) one byte short, c4 05 01 02 03 04",
            "an extension (ext32), c9 7f ff ff ff 00 01",
            "an array of 4 billion values, dd ff ff ff ff 01",
            "an array of 2^31-1 values, dd 7f ff ff ff 01 02",
            "a map of 2^31-1 pairs, df 7f ff ff ff 01 02",
            "a map whose pairs are one value short, 82 a1 61 01 a1 62",
            "a map16 whose size exceeds the input, de 00 10 a1 61 01",
            "the reserved byte, 81 a1 61 c1",
            "a truncated integer, cf 00 01" })
    void everyDeclaredLengthIsCheckedAgainstTheBytesLeft(String what, String bytes) {
        assertThatThrownBy(() -> PROTOCOL.decoder(8).onBinary(Buffer.buffer(hex(bytes))))
                .as(what)
                .isInstanceOf(ProtocolException.class);
    }

    @Test
    void nestingDeeperThanJacksonsLimitIsRefused() {
        byte[] deep = new byte[BoundedMessagePack.MAX_DEPTH + 2];
        Arrays.fill(deep, (byte) 0x91); // fixarray of one value, nested
        deep[deep.length - 1] = (byte) 0xc0;
        assertThatThrownBy(() -> BoundedMessagePack.checkValue(deep, 0, deep.length))
                .isInstanceOf(JsonParseException.class)
                .hasMessageContaining("nested deeper than");
        byte[] allowed = Arrays.copyOfRange(deep, 2, deep.length);
        assertThatCode(() -> BoundedMessagePack.checkValue(allowed, 0, allowed.length)).doesNotThrowAnyException();
    }

    @Test
    void mappersMadeFromTheFactoryCheckToo() throws Exception {
        ObjectMapper mapper = new ObjectMapper(BoundedMessagePack.factory());
        assertThatThrownBy(() -> mapper.readTree(hex("db 7f ff ff ff 74 61 8d 82 00 00")))
                .isInstanceOf(JsonParseException.class);
        assertThatThrownBy(() -> mapper.copy().readTree(hex("c6 7f ff ff ff 01 02")))
                .isInstanceOf(JsonParseException.class);
        JsonNode ok = mapper.readTree(hex("82 a1 61 01 a1 62 92 c4 02 01 02 c0"));
        assertThat(ok.get("a").asInt()).isEqualTo(1);
        assertThat(ok.get("b").get(0).binaryValue()).containsExactly(1, 2);
    }

    @Test
    void aWholeFrameIsCheckedValueByValue() {
        // three values: 1, "ab", then a bin8 declaring 9 bytes with 1 left
        assertThatThrownBy(() -> BoundedMessagePack.checkAll(hex("01 a2 61 62 c4 09 00")))
                .isInstanceOf(JsonParseException.class)
                .hasMessageContaining("a binary of 9 bytes declared with 1 left");
        assertThatCode(() -> BoundedMessagePack.checkAll(hex("01 a2 61 62 c4 01 00"))).doesNotThrowAnyException();
    }
}
