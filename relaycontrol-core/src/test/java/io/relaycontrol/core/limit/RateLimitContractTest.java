package io.relaycontrol.core.limit;

import io.relaycontrol.testkit.ManualClock;
import io.relaycontrol.api.RelayDecider;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.testkit.RelayDeciderContract;
import io.relaycontrol.testkit.Requests;
import java.util.List;

/** The rule contract for a rate limit: never null, named, explainable, valid under concurrent calls. */
class RateLimitContractTest extends RelayDeciderContract {

    @Override
    protected RelayDecider decider() {
        return RateLimit.builder("client-recipients").key(LimitKeys.clientAddress()).counting(Counted.RECIPIENTS)
                .rates(Rate.parseList("3/1h")).clock(new ManualClock()).build();
    }

    @Override
    protected List<RelayRequest> requests() {
        return List.of(
                Requests.connect("192.0.2.1").build(),
                Requests.rcpt("192.0.2.1", "<a@example.org>", "<b@example.com>").build(),
                Requests.rcpt("192.0.2.1", "<a@example.org>", "<c@example.com>").build(),
                Requests.rcpt("2001:db8::1", "<a@example.org>", "<b@example.com>").build(),
                Requests.rcpt("2001:db8::2", "<a@example.org>", "<b@example.com>").build(),
                Requests.mail("192.0.2.1", "<a@example.org>").build());
    }

    @Override
    protected boolean deterministic() {
        return false;
    }
}
