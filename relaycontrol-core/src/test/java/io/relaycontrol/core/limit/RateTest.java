package io.relaycontrol.core.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RateTest {

    @Test
    void parseListWhenTwoEntriesThenTwoRatesInOrder() {
        List<Rate> list = Rate.parseList("100/1h, 1000/1d");
        assertThat(list).containsExactly(Rate.perHour(100), Rate.perDay(1000));
        assertThat(list.get(0).count()).isEqualTo(100);
        assertThat(list.get(0).burst()).isEqualTo(100);
        assertThat(list.get(0).period()).isEqualTo(Duration.ofHours(1));
        assertThat(list.get(1).period()).isEqualTo(Duration.ofDays(1));
    }

    @Test
    void parseWhenEveryUnitThenItsDuration() {
        assertThat(Rate.parse("1/30s").period()).isEqualTo(Duration.ofSeconds(30));
        assertThat(Rate.parse("1/2m").period()).isEqualTo(Duration.ofMinutes(2));
        assertThat(Rate.parse("1/3h").period()).isEqualTo(Duration.ofHours(3));
        assertThat(Rate.parse("1/7d").period()).isEqualTo(Duration.ofDays(7));
        assertThat(Rate.parse(" 5 / 1m ")).isEqualTo(Rate.perMinute(5));
        assertThat(Rate.parseList(" 5 / 1m ,6/1h ")).hasSize(2);
    }

    @Test
    void factoriesWhenUsedThenSameAsParsed() {
        assertThat(Rate.perSecond(3)).isEqualTo(Rate.parse("3/1s")).isEqualTo(Rate.of(3, Duration.ofSeconds(1)));
        assertThat(Rate.perMinute(3)).isEqualTo(Rate.parse("3/1m"));
        assertThat(Rate.perHour(100)).isEqualTo(Rate.parse("100/1h")).hasSameHashCodeAs(Rate.parse("100/1h"));
        assertThat(Rate.perDay(7)).isEqualTo(Rate.parse("7/1d"));
        assertThat(Rate.perHour(100)).isNotEqualTo(Rate.perHour(101)).isNotEqualTo(Rate.perHour(100).withBurst(5))
                .isNotEqualTo(Rate.perDay(100));
        assertThat(Rate.perMinute(20).withBurst(40).burst()).isEqualTo(40);
        assertThat(Rate.perMinute(20).withBurst(40).count()).isEqualTo(20);
    }

    @Test
    void toStringWhenPrintedThenTheTextForm() {
        assertThat(Rate.perHour(100)).hasToString("100/1h");
        assertThat(Rate.perDay(2)).hasToString("2/1d");
        assertThat(Rate.of(5, Duration.ofSeconds(90))).hasToString("5/90s");
        assertThat(Rate.of(5, Duration.ofMinutes(90))).hasToString("5/90m");
        assertThat(Rate.perMinute(20).withBurst(40)).hasToString("20/1m burst 40");
        assertThat(Rate.of(1, Duration.ofMillis(1500))).hasToString("1/PT1.5S");
    }

    @Test
    void parseWhenBadEntryThenMessageNamesIt() {
        assertThatThrownBy(() -> Rate.parseList("100/1h, 1000/1x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'1000/1x'").hasMessageContaining("unit 'x'")
                .hasMessageContaining("'100/1h, 1000/1x'");
        assertThatThrownBy(() -> Rate.parse("100")).hasMessageContaining("'100'").hasMessageContaining("COUNT/PERIOD");
        assertThatThrownBy(() -> Rate.parse("0/1h")).hasMessageContaining("COUNT '0'");
        assertThatThrownBy(() -> Rate.parse("-5/1h")).hasMessageContaining("COUNT '-5'");
        assertThatThrownBy(() -> Rate.parse("5/h")).hasMessageContaining("PERIOD 'h'");
        assertThatThrownBy(() -> Rate.parse("5/0m")).hasMessageContaining("PERIOD '0'");
        assertThatThrownBy(() -> Rate.parse("5/1h/2")).hasMessageContaining("'5/1h/2'");
        assertThatThrownBy(() -> Rate.parseList("5/1h,")).hasMessageContaining("bad rate ''");
        assertThatThrownBy(() -> Rate.parse("5/99999999999999d")).hasMessageContaining("too long");
        assertThatThrownBy(() -> Rate.parse("1e3/1h")).hasMessageContaining("COUNT '1e3'");
        assertThatThrownBy(() -> Rate.parse("1234567890123456789/1h")).hasMessageContaining("COUNT");
        assertThatThrownBy(() -> Rate.parseList("  ")).hasMessageContaining("empty");
        assertThatThrownBy(() -> Rate.parse(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Rate.parseList(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void factoriesWhenBadValuesThenMessageNamesThem() {
        assertThatThrownBy(() -> Rate.perHour(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0");
        assertThatThrownBy(() -> Rate.of(5, Duration.ZERO)).hasMessageContaining("PT0S");
        assertThatThrownBy(() -> Rate.of(5, Duration.ofSeconds(-1))).hasMessageContaining("PT-1S");
        assertThatThrownBy(() -> Rate.of(5, Duration.ofDays(300 * 365))).hasMessageContaining("too long");
        assertThatThrownBy(() -> Rate.perHour(5).withBurst(0)).hasMessageContaining("burst")
                .hasMessageContaining("5/1h");
        assertThatThrownBy(() -> Rate.of(5, null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void parseWhenAnyValidEntryThenCountAndPeriodAsWrittenAndTextRoundTrips() {
        String[] units = {"s", "m", "h", "d"};
        long[] seconds = {1, 60, 3600, 86400};
        qt().forAll(longs().between(1, 1_000_000_000L), integers().between(1, 10_000), integers().between(0, 3))
                .check((count, amount, unit) -> {
                    Rate r = Rate.parse(count + "/" + amount + units[unit]);
                    return r.count() == count && r.burst() == count
                            && r.period().equals(Duration.ofSeconds(amount * seconds[unit]))
                            && Rate.parse(r.toString()).equals(r);
                });
    }

    @Test
    void nanosToFillWhenBurstExceedsCountThenProportionalRoundedUp() {
        Rate r = Rate.of(3, Duration.ofMinutes(1)).withBurst(10);
        assertThat(r.nanosToFill()).isEqualTo(Duration.ofSeconds(200).toNanos());
        assertThat(r.nanosPerToken()).isEqualTo(Duration.ofSeconds(20).toNanos());
        assertThat(Rate.of(7, Duration.ofSeconds(1)).nanosPerToken()).isEqualTo(142_857_143L);
        assertThat(Rate.of(1, Duration.ofDays(100_000)).withBurst(Long.MAX_VALUE).nanosToFill())
                .isEqualTo(Long.MAX_VALUE);
    }
}
