package io.relaycontrol.core.penalty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Stage;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.core.limit.LimitStore;
import io.relaycontrol.core.limit.Rate;
import io.relaycontrol.testkit.ManualClock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Laws of the penalty box over random histories of violations and waits by a few clients: nobody with at most
 * {@code after.count()} violations in all is ever boxed; anyone with one more in a single instant is; a boxed
 * client's remaining ban never exceeds max; a client's offence count goes down only by being forgotten (back to 1);
 * a record is kept exactly {@code forget} past its ban.
 */
class PenaltyBoxLawsTest {

    static final String[] CLIENTS = {"198.51.100.1", "198.51.100.2", "2001:db8:1::1", "2001:db8:1::2"};

    @Test
    void historiesWhenReplayedThenTheLawsHold() {
        // an op: low 2 bits pick a client, the rest is a violation (even) or a wait of that many minutes (odd)
        qt().withExamples(300).forAll(lists().of(integers().between(0, 4000)).ofSizeBetween(1, 80)).checkAssert(ops -> {
            ManualClock clock = new ManualClock();
            PenaltyBox box = PenaltyBox.builder().after(Rate.parse("5/10m")).ban(Duration.ofMinutes(10)).factor(2)
                    .max(Duration.ofHours(6)).forget(Duration.ofHours(2)).jitter(0).clock(clock)
                    .violationStore(LimitStore.local(clock)).store(PenaltyStore.local(clock)).build();
            Map<String, Integer> total = new HashMap<>();
            Map<String, Integer> lastOffence = new HashMap<>();
            for (int op : ops) {
                String client = CLIENTS[op & 3];
                int rest = op >>> 2;
                if ((rest & 1) == 1) {
                    clock.advance(Duration.ofMinutes(rest % 90));
                } else {
                    RelayRequest r = RelayRequest.builder(Stage.RCPT).client(client).sender("<a@b.test>")
                            .recipient("<c@d.test>").build();
                    box.record(r, "relay");
                    total.merge(key(client), 1, Integer::sum);
                }
                long now = clock.epochNanos() / 1_000_000L;
                for (String c : CLIENTS) {
                    boolean boxed = box.decide(RelayRequest.builder(Stage.CONNECT).client(c).build()).verdict()
                            == Verdict.DEFER;
                    if (total.getOrDefault(key(c), 0) <= 5) {
                        assertThat(boxed).as(c + " with at most 5 violations").isFalse();
                    }
                    PenaltyRecord rec = box.find(addr(c)).orElse(null);
                    if (rec != null) {
                        assertThat(rec.bannedUntilMillis() - now).isLessThanOrEqualTo(Duration.ofHours(6).toMillis());
                        Integer before = lastOffence.get(key(c));
                        if (before != null && rec.offences() < before) {
                            assertThat(rec.offences()).as("only forgetting resets the count").isEqualTo(1);
                        }
                        lastOffence.put(key(c), rec.offences());
                        assertThat(rec.forgetAtMillis() - rec.bannedUntilMillis())
                                .isEqualTo(Duration.ofHours(2).toMillis());
                    }
                }
            }
        });
    }

    @Test
    void burstsWhenOneMoreThanAfterInAnInstantThenBoxed() {
        qt().withExamples(50).forAll(integers().between(1, 20), integers().between(0, 3)).checkAssert((n, c) -> {
            ManualClock clock = new ManualClock();
            PenaltyBox box = PenaltyBox.builder().after(Rate.of(n, Duration.ofMinutes(10))).jitter(0).clock(clock)
                    .violationStore(LimitStore.local(clock)).store(PenaltyStore.local(clock)).build();
            RelayRequest r = RelayRequest.builder(Stage.CONNECT).client(CLIENTS[c]).build();
            for (int i = 0; i < n; i++) {
                box.record(r, "relay");
            }
            assertThat(box.decide(r).verdict()).isEqualTo(Verdict.NO_OPINION);
            box.record(r, "relay");
            assertThat(box.decide(r).verdict()).isEqualTo(Verdict.DEFER);
        });
    }

    /** Both IPv6 clients share one /64, so they share a count. */
    private static String key(String client) {
        return client.startsWith("2001:db8:1::") ? "2001:db8:1::/64" : client;
    }

    private static java.net.InetAddress addr(String s) {
        return RelayRequest.builder(Stage.CONNECT).client(s).build().clientAddress();
    }
}
