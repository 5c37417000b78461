package io.relaycontrol.core.address;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Stage;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.core.rules.Rule;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AddressRulesTest {

    private final Rule rule = AddressRules.refuseMalformedOrRouted("address-hygiene");

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "<user%evil.com@local.com>     | 554 5.7.1 Relay access denied: sender-specified routing ('%' in the local part (percent hack)) | recipient local part contains '%': sender-specified routing (percent hack)",
        "<evil.com!user@local.com>     | 554 5.7.1 Relay access denied: sender-specified routing ('!' in the local part (UUCP bang path)) | recipient local part contains '!': sender-specified routing (UUCP bang path)",
        "<\"user@evil.com\"@local.com> | 554 5.7.1 Relay access denied: sender-specified routing ('@' in the local part) | recipient local part contains '@': sender-specified routing",
        "<@a,@b:user@local.com>        | 554 5.7.1 Relay access denied: sender-specified routing (source route) | recipient source route '@a,@b:' in the path: sender-specified routing",
        "<user@evil.com@local.com>     | 501 5.1.3 Bad recipient address syntax (unquoted '@' in the local part) | recipient address is malformed: more than one '@': an unquoted '@' in the local part is sender-specified routing",
        "<user@1.2.3.4>                | 501 5.1.3 Bad recipient address syntax (numeric domain; use an address literal) | recipient address is malformed: numeric domain: an IP address must be written as an address literal such as [1.2.3.4]",
        "<user@local.com               | 501 5.1.3 Bad recipient address syntax ('<' without closing '>') | recipient address is malformed: path starts with '<' but does not end with '>'",
        "<us er@local.com>             | 501 5.1.3 Bad recipient address syntax (space outside quotes) | recipient address is malformed: space outside quotes at index 3",
    })
    void decideWhenRecipientMalformedOrRoutedThenDenyWithReasonNamingTheTrick(String rcpt, String reply,
            String reason) {
        Decision d = rule.decide(AddressConditionsTest.rcpt(rcpt.strip()));
        assertThat(d.verdict()).isEqualTo(Verdict.DENY);
        assertThat(d.rule()).isEqualTo("address-hygiene");
        assertThat(d.reply()).get().hasToString(reply);
        assertThat(d.reason()).startsWith(reason);
    }

    @Test
    void decideWhenControlCharacterThenDenyWithoutEchoingIt() {
        Decision d = rule.decide(AddressConditionsTest.rcpt("<user@local.com>\r\nRSET"));
        assertThat(d.verdict()).isEqualTo(Verdict.DENY);
        assertThat(d.reply()).get().hasToString("501 5.1.3 Bad recipient address syntax (control character)");
        assertThat(d.reason()).isEqualTo("recipient address is malformed: control character U+000D (CR) at index 16");
        assertThat(d.details()).containsEntry("parseError", "control-character");
    }

    @Test
    void decideWhenCleanOrNoRecipientThenNoOpinionPrecomputed() {
        Decision clean = rule.decide(AddressConditionsTest.rcpt("<user@local.com>"));
        assertThat(clean.verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(clean.reason()).isEqualTo("recipient is well-formed and not routed");
        assertThat(rule.decide(AddressConditionsTest.rcpt("<other@[192.0.2.1]>"))).isSameAs(clean);
        Decision none = rule.decide(AddressConditionsTest.from("<a@local.com>"));
        assertThat(none.verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(none.reason()).isEqualTo("no recipient to check");
        assertThat(rule.decide(null).verdict()).as("never throws").isEqualTo(Verdict.DEFER);
        assertThat(rule.describe()).contains("address-hygiene", "501 5.1.3", "554 5.7.1");
    }

    @Test
    void refuseMalformedSenderWhenSenderInvalidThenDeny517() {
        Rule s = AddressRules.refuseMalformedSender("sender-syntax");
        Decision d = s.decide(AddressConditionsTest.from("<a..b@local.com>"));
        assertThat(d.verdict()).isEqualTo(Verdict.DENY);
        assertThat(d.reply()).get().hasToString("501 5.1.7 Bad sender address syntax (misplaced '.' in the local part)");
        assertThat(d.reason()).isEqualTo("sender address is malformed: '..' in the local part at index 2");
        assertThat(s.decide(AddressConditionsTest.from("<>")).verdict()).isEqualTo(Verdict.NO_OPINION);
        assertThat(s.decide(AddressConditionsTest.from("<a%b@local.com>")).verdict()).isEqualTo(Verdict.NO_OPINION);
    }

    @Test
    void decideWhenCalledConcurrentlyThenSameAnswers() throws Exception {
        RelayRequest routed = AddressConditionsTest.rcpt("<a%b@local.com>");
        RelayRequest clean = AddressConditionsTest.rcpt("<a@local.com>");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                results.add(pool.submit(() -> {
                    start.await();
                    boolean ok = true;
                    for (int i = 0; i < 2000; i++) {
                        ok &= rule.decide(routed).verdict() == Verdict.DENY;
                        ok &= rule.decide(clean).verdict() == Verdict.NO_OPINION;
                    }
                    return ok;
                }));
            }
            start.countDown();
            for (Future<Boolean> f : results) {
                assertThat(f.get(30, TimeUnit.SECONDS)).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
