package io.relaycontrol.core.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DnsListTest {

    @Test
    void parseWhenPostscreenSyntaxThenZoneFilterAndWeight() {
        DnsList l = DnsList.parse(" Zen.Spamhaus.ORG.=127.0.0.[2..11]*3 ", DnsList.Target.CLIENT);

        assertThat(l.zone()).isEqualTo("zen.spamhaus.org");
        assertThat(l.filter().orElseThrow().toString()).isEqualTo("127.0.0.[2..11]");
        assertThat(l.weight()).isEqualTo(3);
        assertThat(l.isAllowList()).isFalse();
        assertThat(l).hasToString("zen.spamhaus.org=127.0.0.[2..11]*3");
    }

    @Test
    void parseWhenNegativeWeightThenAllowList() {
        DnsList l = DnsList.parse("list.dnswl.org=127.0.[0..255].[1..3]*-2", DnsList.Target.CLIENT);

        assertThat(l.isAllowList()).isTrue();
        assertThat(l.weight()).isEqualTo(-2);
    }

    @Test
    void parseWhenZoneOnlyThenNoFilterAndWeightOne() {
        DnsList l = DnsList.parse("bl.example", DnsList.Target.SENDER_DOMAIN);

        assertThat(l.filter()).isEmpty();
        assertThat(l.weight()).isEqualTo(1);
        assertThat(l.counts(0x7f000063)).isTrue();
        assertThat(l.target()).isEqualTo(DnsList.Target.SENDER_DOMAIN);
    }

    @Test
    void parseWhenEximBitmaskThenBitmaskFilter() {
        assertThat(DnsList.parse("bl.example=&0.0.0.4*2", DnsList.Target.CLIENT).filter().orElseThrow().isBitMask())
                .isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"bl.example*0", "bl.example*x", "bl.example=127.0.0.[2..", "localhost", "[127.0.0.1]",
            "bad_zone!.example", "=127.0.0.2", "bl.example*"})
    void parseWhenInvalidThenErrorNamesTheSpec(String spec) {
        assertThatThrownBy(() -> DnsList.parse(spec, DnsList.Target.CLIENT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(spec);
    }

    @Test
    void withLookupUrlWhenSpacesThenRefused() {
        DnsList l = DnsList.parse("bl.example", DnsList.Target.CLIENT);

        assertThatThrownBy(() -> l.withLookupUrl("https://x.test/a b")).hasMessageContaining("https://x.test/a b");
        assertThat(l.withLookupUrl("https://x.test/?q={key}").lookupUrl()).contains("https://x.test/?q={key}");
    }
}
