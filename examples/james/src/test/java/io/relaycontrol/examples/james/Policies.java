package io.relaycontrol.examples.james;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayDecider;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Stage;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Test deciders. */
final class Policies {

    private Policies() {
    }

    /** Records requests on their way to a delegate. */
    static final class Recorder implements RelayDecider {
        final List<RelayRequest> requests = new CopyOnWriteArrayList<>();
        private final RelayDecider delegate;

        Recorder(RelayDecider delegate) {
            this.delegate = delegate;
        }

        @Override
        public Decision decide(RelayRequest request) {
            requests.add(request);
            return delegate.decide(request);
        }

        RelayRequest last(Stage stage) {
            for (int i = requests.size() - 1; i >= 0; i--) {
                if (requests.get(i).stage() == stage) {
                    return requests.get(i);
                }
            }
            throw new AssertionError("no " + stage + " request in " + requests);
        }
    }
}
