package io.relaycontrol.examples.smtp;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayDecider;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.Stage;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/** Records every request and decision that passes through to a delegate decider. Thread-safe. */
final class Recorder implements RelayDecider {

    private final RelayDecider delegate;
    private final List<RelayRequest> requests = new CopyOnWriteArrayList<>();

    Recorder(RelayDecider delegate) {
        this.delegate = delegate;
    }

    @Override
    public Decision decide(RelayRequest request) {
        requests.add(request);
        return delegate.decide(request);
    }

    List<RelayRequest> requests() {
        return List.copyOf(requests);
    }

    List<RelayRequest> at(Stage stage) {
        return requests.stream().filter(r -> r.stage() == stage).collect(Collectors.toList());
    }

    RelayRequest last(Stage stage) {
        List<RelayRequest> l = at(stage);
        if (l.isEmpty()) {
            throw new AssertionError("no request at " + stage + " in " + requests);
        }
        return l.get(l.size() - 1);
    }
}
