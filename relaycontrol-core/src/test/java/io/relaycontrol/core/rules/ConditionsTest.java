package io.relaycontrol.core.rules;

import static io.relaycontrol.testkit.Requests.connect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Stage;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ConditionsTest {

    static final RelayRequest PLAIN = connect("192.0.2.1").build();
    static final RelayRequest AUTH_TLS = connect("192.0.2.1").authenticated("alice").tls(true).build();

    @Test
    void basicConditionsWhenTestedThenReadTheRequest() {
        assertThat(Conditions.authenticated().test(PLAIN)).isFalse();
        assertThat(Conditions.authenticated().test(AUTH_TLS)).isTrue();
        assertThat(Conditions.tls().test(AUTH_TLS)).isTrue();
        assertThat(Conditions.stage(Stage.CONNECT).test(PLAIN)).isTrue();
        assertThat(Conditions.stage(Stage.MAIL, Stage.RCPT).test(PLAIN)).isFalse();
        assertThat(Conditions.stage(Stage.MAIL, Stage.RCPT).description()).isEqualTo("stage is one of [MAIL, RCPT]");
    }

    @Test
    void describedConditionWhenSubclassedThenItsTestAndDescription() {
        Condition c = new DescribedCondition("client is authenticated over TLS") {
            @Override
            public boolean test(RelayRequest request) {
                return request.isAuthenticated() && request.isTls();
            }
        };
        assertThat(c.test(AUTH_TLS)).isTrue();
        assertThat(c.test(PLAIN)).isFalse();
        assertThat(c.description()).isEqualTo("client is authenticated over TLS");
        assertThat(c).hasToString("client is authenticated over TLS");
        assertThat(c.negate().description()).isEqualTo("not client is authenticated over TLS");
        assertThatThrownBy(() -> new DescribedCondition(" ") {
            @Override
            public boolean test(RelayRequest request) {
                return true;
            }
        }).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blank");
        assertThatThrownBy(() -> new DescribedCondition(null) {
            @Override
            public boolean test(RelayRequest request) {
                return true;
            }
        }).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Condition.of(" ", r -> true)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void compositionWhenCombinedThenBooleanLogicAndDescriptions() {
        Condition auth = Conditions.authenticated();
        Condition tls = Conditions.tls();
        assertThat(auth.and(tls).test(AUTH_TLS)).isTrue();
        assertThat(auth.and(tls).test(PLAIN)).isFalse();
        assertThat(auth.or(tls).test(PLAIN)).isFalse();
        assertThat(auth.negate().test(PLAIN)).isTrue();
        assertThat(auth.and(tls).description()).isEqualTo("client is authenticated and TLS is active");
        assertThat(auth.and(tls).negate().description()).isEqualTo("not (client is authenticated and TLS is active)");
        assertThat(Conditions.anyOf(auth, tls).or(auth).description())
                .isEqualTo("(client is authenticated or TLS is active) or client is authenticated");
    }

    @Test
    void compositionWhenDecidedEarlyThenShortCircuits() {
        AtomicInteger calls = new AtomicInteger();
        Condition counted = Condition.of("counted", r -> calls.incrementAndGet() > 0);
        Conditions.allOf(Conditions.authenticated(), counted).test(PLAIN);
        Conditions.anyOf(Conditions.tls(), counted).test(AUTH_TLS);
        assertThat(calls).hasValue(0);
    }

    @Test
    void factoriesWhenEmptyOrBlankThenRefused() {
        assertThatThrownBy(Conditions::allOf).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(Conditions::anyOf).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(Conditions::stage).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Condition.of(" ", r -> true)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Condition.of("x", null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Conditions.not(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Conditions.allOf(Conditions.tls(), null)).isInstanceOf(NullPointerException.class);
    }
}
