package io.relaycontrol.core.dns;

import static io.relaycontrol.testkit.Requests.connect;
import static io.relaycontrol.testkit.Requests.rcpt;

import io.relaycontrol.api.RelayDecider;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.testkit.ManualClock;
import io.relaycontrol.testkit.RelayDeciderContract;
import java.util.List;
import org.xbill.DNS.Rcode;

/** The rule contract (never null, named, explainable, the same answers under concurrent calls). */
class DnsListRuleContractTest extends RelayDeciderContract {

    private final DnsListRule rule = new ScriptedResolver()
            .listed("2.2.0.192.bl.test", 300, "127.0.0.2").txt("2.2.0.192.bl.test", "listed")
            .listed("3.2.0.192.bl.test", 300, "127.255.255.254")
            .rcode("4.2.0.192.bl.test", Rcode.SERVFAIL)
            .listed("5.2.0.192.wl.test", 300, "127.0.10.2")
            .rule("dns-lists").clock(new ManualClock())
            .list(DnsList.parse("bl.test=127.0.0.[2..11]", DnsList.Target.CLIENT))
            .list(DnsList.parse("wl.test*-1", DnsList.Target.CLIENT))
            .onFailure(DnsListRule.FailMode.DEFER)
            .build();

    @Override
    protected RelayDecider decider() {
        return rule;
    }

    @Override
    protected List<RelayRequest> requests() {
        return List.of(
                connect("192.0.2.2").build(),
                rcpt("192.0.2.1", "<a@b.test>", "<c@d.test>").build(),   // not listed: no opinion
                rcpt("192.0.2.2", "<a@b.test>", "<c@d.test>").build(),   // listed: deny
                rcpt("192.0.2.3", "<a@b.test>", "<c@d.test>").build(),   // error code: bl failed, defer
                rcpt("192.0.2.4", "<a@b.test>", "<c@d.test>").build(),   // SERVFAIL: defer
                rcpt("192.0.2.5", "<a@b.test>", "<c@d.test>").build());  // allow-listed: allow
    }
}
