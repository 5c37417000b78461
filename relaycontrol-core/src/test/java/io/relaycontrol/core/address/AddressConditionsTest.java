package io.relaycontrol.core.address;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Stage;
import io.relaycontrol.core.rules.Condition;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class AddressConditionsTest {

    private static final DomainSet LOCAL = DomainSet.of("local.com", ".local.com", "[192.0.2.1]").withName("local");

    static RelayRequest rcpt(String recipient) {
        return RelayRequest.builder(Stage.RCPT).client("203.0.113.7").sender("<a@sender.example>")
                .recipient(recipient).build();
    }

    static RelayRequest from(String sender) {
        return RelayRequest.builder(Stage.MAIL).client("203.0.113.7").sender(sender).build();
    }

    @ParameterizedTest(name = "{0}: in={1} routed={2} literal={3} invalid={4}")
    @CsvSource(delimiter = '|', value = {
        "<user@local.com>                    | true  | false | false | false",
        "<user@LOCAL.com.>                   | true  | false | false | false",
        "<user@mail.local.com>               | true  | false | false | false",
        "<user@notlocal.com>                 | false | false | false | false",
        "<user@local.com.evil.test>          | false | false | false | false",
        "<user%evil.com@local.com>           | false | true  | false | false",
        "<evil.com!user@local.com>           | false | true  | false | false",
        "<\"user@evil.com\"@local.com>       | false | true  | false | false",
        "<\"user%evil.com\"@local.com>       | false | true  | false | false",
        "<@local.com:user@local.com>         | false | true  | false | false",
        "<user@evil.com@local.com>           | false | false | false | true",
        "<user@[192.0.2.1]>                  | true  | false | true  | false",
        "<user%evil.com@[192.0.2.1]>         | false | true  | true  | false",
        "<user@[192.0.2.2]>                  | false | false | true  | false",
        "<user@192.0.2.1>                    | false | false | false | true",
        "<user@local.com                     | false | false | false | true",
    })
    void recipientConditionsWhenAddressFormThenRoutedAndInvalidNeverInSet(String recipient, boolean in,
            boolean routed, boolean literal, boolean invalid) {
        RelayRequest r = rcpt(recipient.strip());
        assertThat(AddressConditions.recipientDomainIn(LOCAL).test(r)).isEqualTo(in);
        assertThat(AddressConditions.recipientDomainNotIn(LOCAL).test(r)).isEqualTo(!in);
        assertThat(AddressConditions.recipientRouted().test(r)).isEqualTo(routed);
        assertThat(AddressConditions.recipientLiteral().test(r)).isEqualTo(literal);
        assertThat(AddressConditions.recipientInvalid().test(r)).isEqualTo(invalid);
    }

    @Test
    void senderConditionsWhenNullRoutedOrInvalidThenNotInSet() {
        Condition in = AddressConditions.senderDomainIn(LOCAL);
        assertThat(in.test(from("<a@local.com>"))).isTrue();
        assertThat(in.test(from("<>"))).isFalse();
        assertThat(in.test(from("<a%b@local.com>"))).isFalse();
        assertThat(in.test(from("<a@@local.com>"))).isFalse();
        assertThat(AddressConditions.senderDomainNotIn(LOCAL).test(from("<>"))).isTrue();
        assertThat(AddressConditions.nullSender().test(from("<>"))).isTrue();
        assertThat(AddressConditions.nullSender().test(from(""))).isTrue();
        assertThat(AddressConditions.nullSender().test(from("<a@local.com>"))).isFalse();
        assertThat(AddressConditions.senderRouted().test(from("<a!b@local.com>"))).isTrue();
        assertThat(AddressConditions.senderInvalid().test(from("<a b@local.com>"))).isTrue();
    }

    @Test
    void conditionsWhenNoRecipientThenFalseAndDescribed() {
        RelayRequest mail = from("<a@local.com>");
        assertThat(AddressConditions.recipientDomainIn(LOCAL).test(mail)).isFalse();
        assertThat(AddressConditions.recipientRouted().test(mail)).isFalse();
        assertThat(AddressConditions.recipientInvalid().test(mail)).isFalse();
        assertThat(AddressConditions.recipientDomainIn(LOCAL).description()).isEqualTo("recipient domain in local (3 entries)");
        assertThat(AddressConditions.recipientRouted().description()).isEqualTo("recipient uses sender-specified routing");
    }

    @Test
    void recipientDomainInWhenReloadableThenReadsCurrentList() {
        DomainSet[] next = {DomainSet.of("other.com")};
        ReloadableDomainSet set = ReloadableDomainSet.of("test", DomainSet.of("local.com"), () -> next[0]);
        Condition c = AddressConditions.recipientDomainIn(set);
        assertThat(c.test(rcpt("<u@local.com>"))).isTrue();
        set.reload();
        assertThat(c.test(rcpt("<u@local.com>"))).isFalse();
        assertThat(c.test(rcpt("<u@other.com>"))).isTrue();
        assertThat(c.test(rcpt("<u%x@other.com>"))).isFalse();
    }
}
