package io.relaycontrol.core.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Stage;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.testkit.ManualClock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Counted#MESSAGE_BYTES}: the size at DATA (the real size at the end of the data), never the declared one. */
class RateLimitMessageBytesTest {

    private final ManualClock clock = new ManualClock();

    private static RelayRequest mail(String ip, long declared) {
        RelayRequest.Builder b = RelayRequest.builder(Stage.MAIL).client(ip).sender("<a@example.org>");
        if (declared >= 0) {
            b.declaredSize(declared);
        }
        return b.build();
    }

    private static RelayRequest data(String ip, long size) {
        RelayRequest.Builder b = RelayRequest.builder(Stage.DATA).client(ip).sender("<a@example.org>")
                .recipientCount(1);
        if (size >= 0) {
            b.declaredSize(size);
        }
        return b.build();
    }

    private RateLimit limit(Counted counted, long capacity) {
        return RateLimit.builder("bytes-" + counted.name().toLowerCase()).key(LimitKeys.clientAddress())
                .counting(counted).rate(Rate.of(capacity, Duration.ofSeconds(100))).clock(clock).build();
    }

    @Test
    void decideWhenCountingMessageBytesThenSizeAtDataCharged() {
        RateLimit limit = limit(Counted.MESSAGE_BYTES, 1000);
        assertThat(Counted.MESSAGE_BYTES.stage()).isEqualTo(Stage.DATA);
        Decision first = limit.decide(data("192.0.2.1", 600));
        assertThat(first.verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(first.details()).containsEntry("tokensLeft", "400");
        assertThat(first.reason()).contains("charged 600");
        Decision second = limit.decide(data("192.0.2.1", 600));
        assertThat(second.verdict()).isEqualTo(Verdict.DEFER);
        assertThat(second.reply().orElseThrow().code()).isEqualTo(451);
        assertThat(second.details()).containsEntry("tokensLeft", "400").containsEntry("retryAfter", "PT20S");
        Decision huge = limit.decide(data("192.0.2.2", 5000));
        assertThat(huge.verdict()).isEqualTo(Verdict.DEFER);
        assertThat(huge.details()).containsEntry("retryAfter", "never");
    }

    @Test
    void decideWhenMessageBytesAndNoSizeAtDataThenNoOpinionAndNothingCharged() {
        RateLimit limit = limit(Counted.MESSAGE_BYTES, 1000);
        Decision noSize = limit.decide(data("192.0.2.1", -1));
        assertThat(noSize.verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(noSize.reason()).contains("no message size");
        assertThat(limit.decide(data("192.0.2.1", 0)).reason()).contains("no message size");
        assertThat(limit.decide(data("192.0.2.1", 1000)).details()).containsEntry("tokensLeft", "0");
    }

    @Test
    void decideWhenMessageBytesAtMailThenDeclaredSizeNotCharged() {
        RateLimit limit = limit(Counted.MESSAGE_BYTES, 1000);
        Decision atMail = limit.decide(mail("192.0.2.1", 900));
        assertThat(atMail.verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(atMail.reason()).contains("at DATA, nothing to count at MAIL");
        assertThat(limit.decide(data("192.0.2.1", 600)).details()).containsEntry("tokensLeft", "400");
    }

    @Test
    void decideWhenBytesAndMessageBytesLimitsThenEachChargesTheMessageOnce() {
        RateLimit declared = limit(Counted.BYTES, 1000);
        RateLimit received = limit(Counted.MESSAGE_BYTES, 1000);
        // one transaction: SIZE=300 declared at MAIL, 700 bytes received at the end of the data
        assertThat(declared.decide(mail("192.0.2.1", 300)).details()).containsEntry("tokensLeft", "700");
        assertThat(received.decide(mail("192.0.2.1", 300)).details()).doesNotContainKey("tokensLeft");
        assertThat(declared.decide(data("192.0.2.1", 700)).details()).doesNotContainKey("tokensLeft");
        assertThat(received.decide(data("192.0.2.1", 700)).details()).containsEntry("tokensLeft", "300");
        // and the declared-size limit still has its 700 left: DATA charged it nothing
        assertThat(declared.decide(mail("192.0.2.1", 700)).details()).containsEntry("tokensLeft", "0");
    }

    @Test
    void decideWhenTransactionsWithinCapacityThenOnlyTheReceivedSizesAreCharged() {
        // law: whatever the clients declare at MAIL, a MESSAGE_BYTES limit is charged the sum of the sizes at DATA
        qt().withExamples(200).forAll(lists().of(integers().between(1, 5000)).ofSizeBetween(1, 20),
                lists().of(integers().between(0, 5000)).ofSizeBetween(20, 20))
                .check((sizes, declaredSizes) -> {
                    long capacity = 100_000;
                    RateLimit limit = limit(Counted.MESSAGE_BYTES, capacity);
                    long sum = 0;
                    Decision last = null;
                    for (int i = 0; i < sizes.size(); i++) {
                        limit.decide(mail("198.51.100.7", declaredSizes.get(i)));
                        last = limit.decide(data("198.51.100.7", sizes.get(i)));
                        sum += sizes.get(i);
                    }
                    return last.verdict() == Verdict.NO_OPINION
                            && last.details().get("tokensLeft").equals(Long.toString(capacity - sum));
                });
    }

    @Test
    void countedWhenListedThenEveryKindHasItsOwnLabel() {
        assertThat(List.of(Counted.values())).extracting(Counted::label).doesNotHaveDuplicates();
        assertThat(Counted.MESSAGE_BYTES.label()).isEqualTo("message bytes");
    }
}
