package io.relaycontrol.examples.policy.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** The generator's allocation-free paths agree with the readable ones, so every server still gets the same stream. */
class LoadGeneratorTest {

    @Test
    void encodeWhenAnyRequestNumberThenTheSameBytesAsRequest() {
        byte[] buf = new byte[LoadGenerator.MAX_REQUEST];
        LongStream numbers = LongStream.concat(LongStream.range(0, 20_000),
                LongStream.of(65_535, 65_536, 1_249_999, 1L << 32, Long.MAX_VALUE / 3, Long.MAX_VALUE));
        numbers.forEach(i -> {
            byte[] expected = LoadGenerator.request(i);
            int n = LoadGenerator.encode(i, buf);
            assertThat(Arrays.copyOf(buf, n)).as("request %d", i).isEqualTo(expected);
        });
    }

    @Test
    void kindOfWhenCommonRepliesThenAsKindWithoutAString() {
        for (String reply : List.of("action=DUNNO\n\n", "action=451 4.7.1 Rate limit exceeded\n\n",
                "action=554 5.7.1 Relay access denied\n\n", "action=OK\n\n", "action=DEFER_IF_PERMIT x\n\n",
                "action=PREPEND X-Test: 1\n\n", "garbage\n\n", "action=\n\n")) {
            byte[] b = reply.getBytes(StandardCharsets.US_ASCII);
            int kind = LoadGenerator.kindOf(b, b.length);
            if (kind < LoadGenerator.KINDS.length) {
                assertThat(LoadGenerator.KINDS[kind]).as(reply).isEqualTo(LoadGenerator.kind(reply));
            }
        }
        byte[] dunno = "action=DUNNO\n\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(LoadGenerator.kindOf(dunno, dunno.length)).isZero();
    }
}
