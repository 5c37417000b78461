package io.relaycontrol.core.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import io.github.bucket4j.Bandwidth;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BandwidthsTest {

    @Test
    void parseWhenTwoEntriesThenTwoGreedyBandwidthsInOrder() {
        List<Bandwidth> list = Bandwidths.parse("100/1h, 1000/1d");
        assertThat(list).hasSize(2);
        assertThat(list.get(0).getCapacity()).isEqualTo(100);
        assertThat(list.get(0).getRefillTokens()).isEqualTo(100);
        assertThat(list.get(0).getRefillPeriodNanos()).isEqualTo(Duration.ofHours(1).toNanos());
        assertThat(list.get(0).isGready()).isTrue();
        assertThat(list.get(0).isRefillIntervally()).isFalse();
        assertThat(list.get(1).getCapacity()).isEqualTo(1000);
        assertThat(list.get(1).getRefillPeriodNanos()).isEqualTo(Duration.ofDays(1).toNanos());
    }

    @Test
    void parseWhenEveryUnitThenItsDuration() {
        assertThat(Bandwidths.parse("1/30s").get(0).getRefillPeriodNanos()).isEqualTo(Duration.ofSeconds(30).toNanos());
        assertThat(Bandwidths.parse("1/2m").get(0).getRefillPeriodNanos()).isEqualTo(Duration.ofMinutes(2).toNanos());
        assertThat(Bandwidths.parse("1/3h").get(0).getRefillPeriodNanos()).isEqualTo(Duration.ofHours(3).toNanos());
        assertThat(Bandwidths.parse("1/7d").get(0).getRefillPeriodNanos()).isEqualTo(Duration.ofDays(7).toNanos());
        assertThat(Bandwidths.parse(" 5 / 1m ,6/1m ")).hasSize(2);
    }

    @Test
    void parseWhenBadEntryThenMessageNamesIt() {
        assertThatThrownBy(() -> Bandwidths.parse("100/1h, 1000/1x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'1000/1x'").hasMessageContaining("unit 'x'");
        assertThatThrownBy(() -> Bandwidths.parse("100")).hasMessageContaining("'100'")
                .hasMessageContaining("COUNT/PERIOD");
        assertThatThrownBy(() -> Bandwidths.parse("0/1h")).hasMessageContaining("COUNT '0'");
        assertThatThrownBy(() -> Bandwidths.parse("-5/1h")).hasMessageContaining("COUNT '-5'");
        assertThatThrownBy(() -> Bandwidths.parse("5/h")).hasMessageContaining("PERIOD 'h'");
        assertThatThrownBy(() -> Bandwidths.parse("5/0m")).hasMessageContaining("PERIOD '0'");
        assertThatThrownBy(() -> Bandwidths.parse("5/1h/2")).hasMessageContaining("'5/1h/2'");
        assertThatThrownBy(() -> Bandwidths.parse("5/1h,")).hasMessageContaining("bad rate limit ''");
        assertThatThrownBy(() -> Bandwidths.parse("5/99999999999999d")).hasMessageContaining("too long");
        assertThatThrownBy(() -> Bandwidths.parse("1e3/1h")).hasMessageContaining("COUNT '1e3'");
        assertThatThrownBy(() -> Bandwidths.parse("  ")).hasMessageContaining("empty");
        assertThatThrownBy(() -> Bandwidths.parse(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void parseWhenAnyValidEntryThenCapacityAndPeriodAsWritten() {
        String[] units = {"s", "m", "h", "d"};
        long[] seconds = {1, 60, 3600, 86400};
        qt().forAll(longs().between(1, 1_000_000_000L), integers().between(1, 10_000), integers().between(0, 3))
                .check((count, amount, unit) -> {
                    Bandwidth b = Bandwidths.parse(count + "/" + amount + units[unit]).get(0);
                    return b.getCapacity() == count && b.getRefillTokens() == count
                            && b.getRefillPeriodNanos() == Duration.ofSeconds(amount * seconds[unit]).toNanos();
                });
    }

    @Test
    void nanosToFillWhenCapacityExceedsRefillThenWholePeriodsRoundedUp() {
        Bandwidth b = Bandwidth.builder().capacity(10).refillGreedy(3, Duration.ofMinutes(1)).build();
        assertThat(Bandwidths.nanosToFill(b)).isEqualTo(Duration.ofMinutes(4).toNanos());
    }
}
