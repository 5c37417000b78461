#!/usr/bin/env bash
# Runs relaycontrol's policy server, postfwd (postfwd2) and policyd-rate-limit with the same policy on loopback
# ports, sends each the same stream of Postfix policy requests (LoadGenerator: RCPT requests from about 1,000,000
# distinct client addresses over 20 persistent connections) and prints requests/s and latency for each.
#
# usage: examples/policy-server/bench/run-benchmark.sh
#   REQUESTS=1250000 CONNECTIONS=20 PEERS="relaycontrol postfwd policyd-rate-limit" (environment, optional)
#   PEER_REQUESTS=N sends only the first N requests of the same stream to the two peers (they are slow);
#   POSTFWD_REQUESTS and PRL_REQUESTS set it for postfwd and policyd-rate-limit alone
#   OPEN=yes (the default) adds the open-loop runs, OPEN=no leaves them out
#   OPEN_RATE=R the fixed rate for relaycontrol's open-loop run; by default 10 times the requests/s that postfwd
#     reached in this run's closed loop, rounded up to a thousand (15000 when postfwd is not run)
#   OPEN_SECONDS=60 how long each open-loop run lasts; PEER_LOAD=0.7 the peers' open-loop rate as a fraction of
#     the requests/s each reached in its closed loop (a rate they can sustain)
#   PIN=no (the default) never pins; PIN=open runs the open-loop runs with the server and the generator on
#     separate cores (taskset: the server on SERVER_CPUS=0, the generator on GENERATOR_CPUS=1), as a server and
#     its clients on separate machines; PIN=all pins the closed-loop runs too. On the 2-core machine one core is
#     not enough for 10 times postfwd's rate (pinned, relaycontrol answered at most 19,657 of 26,000 requests/s
#     offered), so the default leaves both cores to both
#   SERVER_JAVA_OPTS the server's JVM in the closed loop; OPEN_SERVER_JAVA_OPTS its JVMs in the open loop, one
#     open-loop run each, separated by '|' (by default ZGC, then ParallelGC with a small young generation);
#     GENERATOR_JAVA_OPTS the generator's
#
# Two runs per server, each on a fresh server:
# - closed loop: each connection sends its next request right after the previous reply. This gives the most
#   requests/s; on 2 cores shared by the load generator and the server its latencies are mostly queueing for a
#   core behind the other connections, not the time a request takes.
# - open loop (LoadGenerator --rate): the requests are due at a fixed rate, spread over the connections, and
#   latency is measured from the time each was due (not from its send), so a stall is charged to every request
#   that should have gone out during it (no coordinated omission). SERVICE is the latency from the actual send,
#   LAG how late the generator itself sent. With PIN=open the server (each peer alike) runs on one
#   core and the generator on the other, so that neither waits for a core the other holds: the generator stands for
#   Postfix's smtpd processes on other machines. The server then has one core, where the closed loop gave it two
#   (shared with the generator), and the open-loop rate is still 10 times postfwd's closed-loop figure on two.
#
# The policy, for every server: clients in 203.0.113.0/24 are refused (5xx); at most 100 accepted recipients per
# client address per hour (4xx beyond; a refused relay attempt is not counted, trusted clients are); recipients
# in example.com are accepted for anyone; clients in 192.0.2.0/24 may relay; everyone else relaying is refused. policyd-rate-limit can only express the rate limit (it has no
# network or domain lists): it gets the same stream and limits it, and says DUNNO to everything else.
#
# Every server runs in the foreground of this script (postfwd2 can only daemonize: it gets a private pid file
# and cache socket and is stopped with its own --kill), with its state in one private directory on tmpfs, and
# is stopped on exit. Needs: Java 17, the built jar (mvn -B -q package -DskipTests -pl examples/policy-server -am),
# and the Debian packages postfwd and policyd-rate-limit.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
JAR=${JAR:-$HERE/../target/relaycontrol-policy-server.jar}
REQUESTS=${REQUESTS:-1250000}
PEER_REQUESTS=${PEER_REQUESTS:-$REQUESTS}
POSTFWD_REQUESTS=${POSTFWD_REQUESTS:-$PEER_REQUESTS}
PRL_REQUESTS=${PRL_REQUESTS:-$PEER_REQUESTS}
CONNECTIONS=${CONNECTIONS:-20}
PEERS=${PEERS:-relaycontrol postfwd policyd-rate-limit}
OPEN=${OPEN:-yes}
OPEN_SECONDS=${OPEN_SECONDS:-60}
PEER_LOAD=${PEER_LOAD:-0.7}
# the JVM of relaycontrol's server in the closed loop (throughput): a fixed heap with a large young generation, so
# that the server, which keeps little (the buckets of 1,000,000 clients are 30 to 70 MB) and allocates about 3 KB per
# request, stops for a young collection seldom; each such stop copies every bucket made since the last one (tens of
# MB, tens of ms), which the closed loop's throughput hardly sees
SERVER_JAVA_OPTS=${SERVER_JAVA_OPTS:--Xms2g -Xmx2g -Xmn1536m -XX:+UseParallelGC -XX:+AlwaysPreTouch}
# the JVMs of relaycontrol's server in the open loop (latency from the due time), one open-loop run each, separated
# by '|'. A young collection of ParallelGC stops the server for as long as it copies the buckets made since the last
# one, a stall charged to every request due during it: 86 ms twice a minute with the 1.5 GB young generation above
# (and the same buckets copied again from survivor to survivor). The two candidates:
# - ZGC: pauses of tens of microseconds, whatever the number of live buckets; its marking runs beside the server's
#   threads instead of stopping them, at the cost of CPU beside them on the server's core;
# - ParallelGC with a small young generation whose survivors go straight to the old one: a pause about every 5 s
#   that copies only the buckets made since the last (about a tenth of the 86 ms), never the same bucket twice.
OPEN_SERVER_JAVA_OPTS=${OPEN_SERVER_JAVA_OPTS:--Xms2g -Xmx2g -XX:+UseZGC -XX:+AlwaysPreTouch|-Xms2g -Xmx2g -Xmn256m -XX:MaxTenuringThreshold=0 -XX:+UseParallelGC -XX:+AlwaysPreTouch}
# the load generator's JVM: it writes each request into a buffer of its own and allocates next to nothing per
# request, so its heap is small and it does not collect during a run
GENERATOR_JAVA_OPTS=${GENERATOR_JAVA_OPTS:--Xms512m -Xmx512m -XX:+UseParallelGC -XX:+AlwaysPreTouch}
PIN=${PIN:-no}
SERVER_CPUS=${SERVER_CPUS:-0}
GENERATOR_CPUS=${GENERATOR_CPUS:-1}
case $PIN in open|all|no) ;; *) echo "PIN must be open, all or no, was '$PIN'" >&2; exit 2 ;; esac
if [ "$PIN" != no ] && ! command -v taskset >/dev/null; then
    echo "PIN=$PIN needs taskset (util-linux); PIN=no runs without pinning" >&2; exit 2
fi
[ -f "$JAR" ] || { echo "build the jar first: mvn -B -q package -DskipTests -pl examples/policy-server -am" >&2; exit 2; }

WORK=$(mktemp -d /dev/shm/relaycontrol-policy-bench.XXXXXX 2>/dev/null || mktemp -d)
chmod 755 "$WORK"
PIDS=()
cleanup() {
    for p in "${PIDS[@]:-}"; do
        [ -n "$p" ] && kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null || true
    done
    if [ -f "$WORK/postfwd/master.pid" ]; then
        postfwd2 --kill --pidfile "$WORK/postfwd/master.pid" >/dev/null 2>&1 || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_port() {  # the peers print nothing when ready: poll their port, at most 30 s
    for _ in $(seq 1 300); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    echo "nothing listens on 127.0.0.1:$1" >&2
    return 1
}
pinned() {  # RATE: whether a run at RATE (empty: closed loop) is pinned
    [ "$PIN" = all ] || { [ "$PIN" = open ] && [ -n "${1:-}" ]; }
}
server_pin() {  # RATE: the command prefix that pins a server for that run (nothing when not pinned)
    pinned "${1:-}" && echo "taskset -c $SERVER_CPUS" || true
}
generate() {  # PORT NAME REQUESTS [RATE]: closed loop, or open loop at RATE requests/s
    local rate=() pin=()
    [ -n "${4:-}" ] && rate=(--rate "$4" --warmup 0.2)
    pinned "${4:-}" && pin=(taskset -c "$GENERATOR_CPUS")
    echo "$2: load average before: $(cut -d' ' -f1-3 /proc/loadavg)${pin:+, server on CPU $SERVER_CPUS, generator on CPU $GENERATOR_CPUS}" \
        | tee -a "$WORK/load"
    # shellcheck disable=SC2086
    "${pin[@]}" java $GENERATOR_JAVA_OPTS -cp "$JAR" io.relaycontrol.examples.policy.bench.LoadGenerator \
        --target "127.0.0.1:$1" --name "$2" --requests "$3" --connections "$CONNECTIONS" "${rate[@]}" \
        | tee -a "$WORK/results"
}
throughput() {  # NAME: the requests/s of its closed-loop run
    awk -v n="$1" '$1 == "RESULT" && $2 == n { print $3 }' "$WORK/results"
}

run_relaycontrol() {  # NAME REQUESTS [RATE OPEN_JAVA_OPTS]
    local port; port=$(free_port)
    cat > "$WORK/relaycontrol.properties" <<PROPS
policy.listen = 127.0.0.1:$port
relay.local-domains = example.com
relay.trusted-networks = 192.0.2.0/24
relay.blocked-networks = 203.0.113.0/24
relay.limit.client.recipients = 100/1h
# one bucket per client: room for every client of the stream (postfwd and policyd-rate-limit keep them all too)
relay.limit.max-keys = 1500000
PROPS
    # the audit log (one line per refusal) is silenced, as postfwd runs with --perfmon (no logging at all)
    local gclog; gclog="$WORK/gc-$(echo "$1" | tr -c 'a-zA-Z0-9\n' '_').log"
    local opts=$SERVER_JAVA_OPTS
    [ -n "${3:-}" ] && opts=$4
    echo "$1: server JVM: $opts" | tee -a "$WORK/gc"
    # shellcheck disable=SC2086,SC2046
    $(server_pin "${3:-}") java $opts -Xlog:gc,gc+phases:file="$gclog" -Dorg.slf4j.simpleLogger.log.io.relaycontrol.audit=warn \
        -jar "$JAR" --config "$WORK/relaycontrol.properties" > "$WORK/relaycontrol.out" 2> "$WORK/relaycontrol.err" &
    local pid=$!
    PIDS+=("$pid")
    for _ in $(seq 1 300); do grep -q '^listening on' "$WORK/relaycontrol.out" && break; sleep 0.1; done
    grep -q '^listening on' "$WORK/relaycontrol.out" || { cat "$WORK/relaycontrol.err" >&2; return 1; }
    generate "$port" "$1" "$2" "${3:-}"
    kill -TERM "$pid"; wait "$pid" || true
    grep -q '^stopped' "$WORK/relaycontrol.out" && echo "relaycontrol stopped cleanly on SIGTERM"
    # ParallelGC logs one line per pause, ZGC three per cycle (Pause Mark Start, Mark End, Relocate Start)
    echo "GC $1: $(grep -c 'GC([0-9]*) [A-Z].*->' "$gclog") collections, $(grep -cE 'Pause.*[0-9]ms$' "$gclog")" \
        "pauses, longest pause $(grep -E 'Pause.*[0-9]ms$' "$gclog" | grep -oE '[0-9.]+ms$' | sort -n | tail -1)" \
        | tee -a "$WORK/gc"
}

run_postfwd() {  # NAME REQUESTS [RATE]
    local port; port=$(free_port)
    mkdir -p "$WORK/postfwd"; chmod 777 "$WORK/postfwd"
    cat > "$WORK/postfwd/postfwd.cf" <<'RULES'
id=BLOCKED; client_address=203.0.113.0/24; action=554 5.7.1 Access denied: your network is blocked
id=RATE-LOCAL; protocol_state==RCPT; recipient_domain==example.com; action=rate(client_address/100/3600/451 4.7.1 Rate limit exceeded, please try again later)
id=RATE-TRUSTED; protocol_state==RCPT; client_address=192.0.2.0/24; recipient_domain=!!(example.com); action=rate(client_address/100/3600/451 4.7.1 Rate limit exceeded, please try again later)
id=LOCAL; recipient_domain==example.com; action=DUNNO
id=TRUSTED; client_address=192.0.2.0/24; action=DUNNO
id=DEFAULT; action=554 5.7.1 Relay access denied
RULES
    # no request cache (--cache=0 measured faster on this stream than Debian's --cache=600 --cache-rdomain-only
    # --cache-no-size: the clients hardly repeat), no DNS, no logging, a pre-forked child for every connection,
    # private pid file and cache socket
    # shellcheck disable=SC2046
    $(server_pin "${3:-}") postfwd2 --daemon -f "$WORK/postfwd/postfwd.cf" --interface 127.0.0.1 --port "$port" \
        --cache=0 --nodns --perfmon \
        --min_servers "$CONNECTIONS" --max_servers $((CONNECTIONS * 2)) --min_spare_servers 2 --max_spare_servers "$CONNECTIONS" \
        --pidfile "$WORK/postfwd/master.pid" --cache_socket "unix::$WORK/postfwd/cache.socket" \
        -u nobody -g nogroup > "$WORK/postfwd/out" 2>&1
    wait_port "$port"
    generate "$port" "$1" "$2" "${3:-}"
    postfwd2 --kill --pidfile "$WORK/postfwd/master.pid" >/dev/null 2>&1 || true
}

run_policyd_rate_limit() {  # NAME REQUESTS [RATE]
    local port; port=$(free_port)
    rm -rf "$WORK/prl"; mkdir -p "$WORK/prl"
    cat > "$WORK/prl/policyd-rate-limit.yaml" <<YAML
debug: False
user: "root"
group: "root"
pidfile: "$WORK/prl/policyd-rate-limit.pid"
backend: 0
sqlite_config:
    database: "$WORK/prl/db.sqlite3"
SOCKET: ["127.0.0.1", $port]
limits:
    - [100, 3600]
limits_by_id: {}
limit_by_sasl: False
limit_by_sender: False
limit_by_ip: True
limited_networks: ["0.0.0.0/0"]
success_action: "dunno"
fail_action: "451 4.7.1 Rate limit exceeded, please try again later"
db_error_action: "dunno"
report: False
delay_to_close: 300
YAML
    # shellcheck disable=SC2046
    $(server_pin "${3:-}") policyd-rate-limit --file "$WORK/prl/policyd-rate-limit.yaml" > "$WORK/prl/out" 2>&1 &
    local pid=$!
    PIDS+=("$pid")
    wait_port "$port"
    generate "$port" "$1" "$2" "${3:-}"
    kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
}
run() {  # PEER NAME REQUESTS [RATE [SERVER_JAVA_OPTS]]
    case $1 in
        relaycontrol) run_relaycontrol "$2" "$3" "${4:-}" "${5:-}" ;;
        postfwd) run_postfwd "$2" "$3" "${4:-}" ;;
        policyd-rate-limit) run_policyd_rate_limit "$2" "$3" "${4:-}" ;;
        *) echo "unknown peer $1" >&2; exit 2 ;;
    esac
}
closed_requests() {
    case $1 in
        relaycontrol) echo "$REQUESTS" ;;
        postfwd) echo "$POSTFWD_REQUESTS" ;;
        *) echo "$PRL_REQUESTS" ;;
    esac
}

echo "stream: $REQUESTS requests (postfwd: the first $POSTFWD_REQUESTS, policyd-rate-limit: the first $PRL_REQUESTS)," \
    "$CONNECTIONS persistent connections; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
java -cp "$JAR" io.relaycontrol.examples.policy.bench.LoadGenerator --distinct "$REQUESTS"
# closed loop, postfwd first: its throughput sets the open-loop rate
ORDER=""
for peer in postfwd relaycontrol policyd-rate-limit; do
    case " $PEERS " in *" $peer "*) ORDER="$ORDER $peer" ;; esac
done
for peer in $ORDER; do
    run "$peer" "$peer" "$(closed_requests "$peer")"
done
if [ "$OPEN" = yes ]; then
    if [ -z "${OPEN_RATE:-}" ]; then
        pf=$(throughput postfwd)
        OPEN_RATE=$([ -n "$pf" ] && awk -v t="$pf" 'BEGIN { r = int((10 * t + 999) / 1000) * 1000; print r }' || echo 15000)
    fi
    for peer in $ORDER; do
        if [ "$peer" = relaycontrol ]; then
            rate=$OPEN_RATE
            IFS='|' read -r -a variants <<< "$OPEN_SERVER_JAVA_OPTS"
            for v in "${!variants[@]}"; do
                gc=$(echo "${variants[$v]}" | grep -oE 'Use[A-Za-z0-9]+GC' | head -1 | sed 's/^Use//')
                [ "${#variants[@]}" -gt 1 ] && gc="$gc-$((v + 1))"
                run "$peer" "$peer-open@$rate/s-${gc:-jvm$((v + 1))}" $((rate * OPEN_SECONDS)) "$rate" "${variants[$v]}"
            done
            continue
        fi
        rate=$(awk -v t="$(throughput "$peer")" -v f="$PEER_LOAD" 'BEGIN { print int(t * f / 10) * 10 }')
        run "$peer" "$peer-open@$rate/s" $((rate * OPEN_SECONDS)) "$rate"
    done
fi

echo
echo "| server | requests | requests/s | p50 | p99 | p99.9 | max |"
echo "|---|---|---|---|---|---|---|"
awk '/^RESULT/ { printf "| %s | %s | %s | %s µs | %s µs | %s µs | %s µs |\n", $2, $8, $3, $4, $5, $6, $7 }' "$WORK/results"
echo
echo "open loop, from the actual send (SERVICE) and the generator's own lateness (LAG): p50 p99 p99.9 max, µs"
grep -E '^(SERVICE|LAG)' "$WORK/results" || true
cat "$WORK/load" "$WORK/gc" 2>/dev/null || true
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
grep '^ACTIONS' "$WORK/results"
