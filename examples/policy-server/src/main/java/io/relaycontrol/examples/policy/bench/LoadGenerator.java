package io.relaycontrol.examples.policy.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Sends one fixed stream of Postfix policy requests to a policy server over persistent connections and reports
 * requests per second and latency percentiles (HdrHistogram).
 *
 * <pre>
 * java -cp relaycontrol-policy-server.jar io.relaycontrol.examples.policy.bench.LoadGenerator \
 *     --target 127.0.0.1:10040 --name relaycontrol [--connections 20] [--requests 1250000] [--warmup 0.05]
 * </pre>
 *
 * <p>The stream is a pure function of the request number, so every server gets the same requests; connection
 * {@code c} of {@code n} sends requests {@code c, c+n, c+2n, ...}, each after the reply to the previous one (as
 * Postfix's {@code smtpd} does). The mix, every request a RCPT:
 * <ul>
 *   <li>5% from the blocked network 203.0.113.0/24 (refused, 5xx);</li>
 *   <li>5% from the trusted network 192.0.2.0/24 relaying to a remote domain (allowed);</li>
 *   <li>10% from 100 busy clients in 198.51.100.0/24 to local recipients (allowed until each has had 100
 *       recipients in the hour, then deferred, 4xx);</li>
 *   <li>80% from strangers in 10.0.0.0/11, each request a different address (request {@code i} uses the
 *       {@code i}-th address of a fixed permutation of its 2,097,152 addresses, so 1,250,000 requests bring about
 *       1,000,000 distinct clients), 60% to a local recipient (allowed) and 40% relaying to a remote domain
 *       (refused, 5xx).</li>
 * </ul>
 * The first {@code --warmup} fraction of each connection's requests is sent but not measured. Output: one line
 * {@code RESULT name requests/s p50 p99 p99.9 max requests} (latencies in microseconds) and the count of each action kind, so that one
 * can see that the servers answered alike.
 *
 * <p>Two ways to send:
 * <ul>
 *   <li><b>Closed loop</b> (the default): each connection sends its next request as soon as the previous reply
 *       is in. This measures the most a server answers (requests/s at saturation); its latencies are then
 *       mostly time spent queueing for the two cores behind the other connections, not the time one request
 *       takes.</li>
 *   <li><b>Open loop</b> ({@code --rate R}): requests are due at a fixed rate of {@code R} per second in all,
 *       request {@code k} of the stream at {@code start + k/R} (connection {@code c} sends the requests
 *       {@code c, c+n, ...}, so they are spread evenly over the connections). A connection waits until its next
 *       request is due, or sends at once when it is already late (a reply came after the next request was
 *       due). Latency is measured from the time the request was <em>due</em>, not from when it was sent, so a
 *       server that stalls is charged for every request that should have been sent during the stall (free of
 *       coordinated omission, as wrk2 measures). Beside it the line {@code SERVICE} gives the latency from the
 *       actual send, and {@code LAG} how late the generator itself sent (its own scheduling: waking up from
 *       {@code parkNanos} on a busy machine). The pacing never spins: a connection parks until its request is due,
 *       so the generator takes no core it does not need (the benchmark script gives it a core of its own).</li>
 * </ul>
 *
 * <p>Each connection writes its requests into one buffer of its own ({@link #encode(long, byte[])}, byte for byte
 * {@link #request(long)}) and classifies the common replies from their bytes, so the generator allocates next to
 * nothing per request: its own collections do not delay sends, and it leaves the server more of the CPU.
 *
 * <p>Not thread-safe as an object; {@link #main(String[])} runs it.
 *
 * @since 0.2.0
 */
public final class LoadGenerator {

    /** Addresses in the strangers' pool: 10.0.0.0/11. */
    static final int POOL = 1 << 21;

    private final InetSocketAddress target;
    private final int connections;
    private final long requests;
    private final double warmup;
    /** Requests per second in open loop, or 0 for closed loop. */
    private final double rate;

    /**
     * @param target the policy server
     * @param connections concurrent persistent connections
     * @param requests the length of the stream
     * @param warmup the fraction of each connection's requests sent before measuring, 0..0.5
     * @throws IllegalArgumentException if a number is out of range
     */
    public LoadGenerator(InetSocketAddress target, int connections, long requests, double warmup) {
        this(target, connections, requests, warmup, 0);
    }

    /**
     * @param target the policy server
     * @param connections concurrent persistent connections
     * @param requests the length of the stream
     * @param warmup the fraction of each connection's requests sent before measuring, 0..0.5
     * @param rate requests per second in all, sent open loop; 0 for closed loop (each request right after the
     *     previous reply)
     * @throws IllegalArgumentException if a number is out of range
     */
    public LoadGenerator(InetSocketAddress target, int connections, long requests, double warmup, double rate) {
        this.target = Objects.requireNonNull(target, "target");
        if (connections < 1 || requests < connections || warmup < 0 || warmup > 0.5 || !(rate >= 0)
                || rate > 10_000_000) {
            throw new IllegalArgumentException("need connections >= 1, requests >= connections, 0 <= warmup <= 0.5,"
                    + " 0 <= rate <= 10000000; was " + connections + ", " + requests + ", " + warmup + ", " + rate);
        }
        this.connections = connections;
        this.requests = requests;
        this.warmup = warmup;
        this.rate = rate;
    }

    /** A 21-bit bijection (odd multipliers and xor-shifts modulo 2^21): the strangers' permutation. */
    static int permute(int i) {
        int x = i & (POOL - 1);
        x = (x * 0x9E3B5) & (POOL - 1);
        x ^= x >>> 7;
        x = (x * 0x5BD1F) & (POOL - 1);
        x ^= x >>> 11;
        return x;
    }

    /** A well-mixed 64-bit hash of the request number (SplitMix64's finaliser). */
    static long mix(long i) {
        long z = i * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The client of request {@code i}: its address as an int (IPv4), deterministic. */
    static int client(long i) {
        long h = mix(i);
        int kind = (int) Long.remainderUnsigned(h, 100);
        int low = (int) ((h >>> 32) & 0xffff);
        if (kind < 5) {
            return (203 << 24) | (0 << 16) | (113 << 8) | (low % 254 + 1);
        } else if (kind < 10) {
            return (192 << 24) | (0 << 16) | (2 << 8) | (low % 254 + 1);
        } else if (kind < 20) {
            return (198 << 24) | (51 << 16) | (100 << 8) | (low % 100 + 1);
        }
        return (10 << 24) | permute((int) (i % POOL));
    }

    /** Whether request {@code i} goes to a local recipient. */
    static boolean localRecipient(long i) {
        long h = mix(i);
        int kind = (int) Long.remainderUnsigned(h, 100);
        if (kind < 10) {
            return false; // blocked (refused anyway) and trusted clients relay to remote domains
        } else if (kind < 20) {
            return true;
        }
        return ((h >>> 48) % 10) < 6;
    }

    /**
     * The request {@code i} of the stream, as bytes on the wire: the attributes Postfix 3.7 sends at RCPT.
     *
     * @param i the request number
     * @return the request, ending with its empty line
     */
    static byte[] request(long i) {
        int c = client(i);
        String addr = (c >>> 24) + "." + ((c >>> 16) & 255) + "." + ((c >>> 8) & 255) + "." + (c & 255);
        String recipient = localRecipient(i) ? "user" + (i % 5000) + "@example.com"
                : "someone" + (i % 5000) + "@remote" + (i % 97) + ".example";
        String s = "request=smtpd_access_policy\nprotocol_state=RCPT\nprotocol_name=ESMTP\nclient_address=" + addr
                + "\nclient_name=unknown\nclient_port=" + (1024 + i % 60000) + "\nreverse_client_name=unknown\n"
                + "server_address=127.0.0.1\nserver_port=25\nhelo_name=host" + (i % 1000) + ".example.net\n"
                + "sender=sender" + (i % 7919) + "@origin.example\nrecipient=" + recipient
                + "\nrecipient_count=0\nqueue_id=\ninstance=" + Long.toHexString(i) + ".0.0\nsize=0\netrn_domain=\n"
                + "stress=\nsasl_method=\nsasl_username=\nsasl_sender=\nccert_subject=\nccert_issuer=\n"
                + "ccert_fingerprint=\nccert_pubkey_fingerprint=\nencryption_protocol=\nencryption_cipher=\n"
                + "encryption_keysize=0\npolicy_context=\ncompatibility_level=3.6\nmail_version=3.7.11\n\n";
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** The constant parts of {@link #request(long)}, in order, as bytes; between them the variable parts. */
    private static final byte[][] PARTS = ascii(
            "request=smtpd_access_policy\nprotocol_state=RCPT\nprotocol_name=ESMTP\nclient_address=",
            "\nclient_name=unknown\nclient_port=",
            "\nreverse_client_name=unknown\nserver_address=127.0.0.1\nserver_port=25\nhelo_name=host",
            ".example.net\nsender=sender",
            "@origin.example\nrecipient=",
            "\nrecipient_count=0\nqueue_id=\ninstance=",
            ".0.0\nsize=0\netrn_domain=\nstress=\nsasl_method=\nsasl_username=\nsasl_sender=\nccert_subject=\n"
                    + "ccert_issuer=\nccert_fingerprint=\nccert_pubkey_fingerprint=\nencryption_protocol=\n"
                    + "encryption_cipher=\nencryption_keysize=0\npolicy_context=\ncompatibility_level=3.6\n"
                    + "mail_version=3.7.11\n\n",
            "user", "@example.com", "someone", "@remote", ".example");
    /** Longer than any request {@link #encode} writes. */
    static final int MAX_REQUEST = 2048;

    private static byte[][] ascii(String... parts) {
        byte[][] out = new byte[parts.length][];
        for (int i = 0; i < parts.length; i++) {
            out[i] = parts[i].getBytes(StandardCharsets.US_ASCII);
        }
        return out;
    }

    /**
     * Writes request {@code i}, byte for byte the same as {@link #request(long)}, into {@code buf} without
     * allocating, so that the generator spends little CPU and makes no garbage of its own per request.
     *
     * @param i the request number
     * @param buf at least {@link #MAX_REQUEST} bytes
     * @return the request's length
     */
    static int encode(long i, byte[] buf) {
        int c = client(i);
        int n = put(buf, 0, PARTS[0]);
        n = decimal(buf, n, c >>> 24);
        buf[n++] = '.';
        n = decimal(buf, n, (c >>> 16) & 255);
        buf[n++] = '.';
        n = decimal(buf, n, (c >>> 8) & 255);
        buf[n++] = '.';
        n = decimal(buf, n, c & 255);
        n = put(buf, n, PARTS[1]);
        n = decimal(buf, n, 1024 + i % 60000);
        n = put(buf, n, PARTS[2]);
        n = decimal(buf, n, i % 1000);
        n = put(buf, n, PARTS[3]);
        n = decimal(buf, n, i % 7919);
        n = put(buf, n, PARTS[4]);
        if (localRecipient(i)) {
            n = put(buf, n, PARTS[7]);
            n = decimal(buf, n, i % 5000);
            n = put(buf, n, PARTS[8]);
        } else {
            n = put(buf, n, PARTS[9]);
            n = decimal(buf, n, i % 5000);
            n = put(buf, n, PARTS[10]);
            n = decimal(buf, n, i % 97);
            n = put(buf, n, PARTS[11]);
        }
        n = put(buf, n, PARTS[5]);
        for (int shift = (63 - Long.numberOfLeadingZeros(i | 1)) / 4 * 4; shift >= 0; shift -= 4) {
            buf[n++] = (byte) Character.forDigit((int) (i >>> shift) & 15, 16);
        }
        return put(buf, n, PARTS[6]);
    }

    private static int put(byte[] buf, int at, byte[] part) {
        System.arraycopy(part, 0, buf, at, part.length);
        return at + part.length;
    }

    private static int decimal(byte[] buf, int at, long v) {
        int digits = 1;
        for (long x = v; x >= 10; x /= 10) {
            digits++;
        }
        for (int k = at + digits - 1; k >= at; k--) {
            buf[k] = (byte) ('0' + v % 10);
            v /= 10;
        }
        return at + digits;
    }

    /** What one connection measured. */
    static final class Part {
        final Histogram latency = new Histogram(3_600_000_000L, 3);
        /** Open loop: from the actual send to the reply. */
        final Histogram service = new Histogram(3_600_000_000L, 3);
        /** Open loop: how late the request was sent after it was due. */
        final Histogram lag = new Histogram(3_600_000_000L, 3);
        final Map<String, Long> actions = new TreeMap<>();
        long measured;
        long startNanos;
        long endNanos;
    }

    /**
     * Runs the stream.
     *
     * @return the merged result
     * @throws Exception if a connection fails
     */
    public Result run() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(connections);
        try {
            List<Future<Part>> futures = new ArrayList<>();
            // open loop: every connection's schedule starts from one instant, a little ahead to let all connect
            long origin = System.nanoTime() + 200_000_000L;
            for (int c = 0; c < connections; c++) {
                int conn = c;
                futures.add(pool.submit((Callable<Part>) () -> connection(conn, origin)));
            }
            List<Part> parts = new ArrayList<>();
            for (Future<Part> f : futures) {
                parts.add(f.get());
            }
            return Result.of(parts);
        } finally {
            pool.shutdownNow();
        }
    }

    private Part connection(int conn, long origin) throws IOException {
        Part part = new Part();
        long mine = (requests - conn + connections - 1) / connections;
        long warm = (long) (mine * warmup);
        byte[] buf = new byte[4096];
        byte[] req = new byte[MAX_REQUEST];
        long[] kinds = new long[KINDS.length + 1];
        boolean open = rate > 0;
        double nanosPerRequest = open ? 1e9 / rate : 0;
        try (Socket s = new Socket()) {
            s.setTcpNoDelay(true);
            s.connect(target, 10_000);
            s.setSoTimeout(60_000);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            long k = 0;
            for (long i = conn; i < requests; i += connections, k++) {
                int reqLength = encode(i, req);
                long due = open ? origin + (long) (i * nanosPerRequest) : 0;
                if (open) {
                    // wait until due; when late already (a slow reply), send at once: the lateness is measured
                    for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                        LockSupport.parkNanos(wait);
                    }
                }
                if (k == warm) {
                    part.startNanos = open ? due : System.nanoTime();
                }
                long t0 = System.nanoTime();
                out.write(req, 0, reqLength);
                out.flush();
                int len = 0;
                while (true) {
                    int n = in.read(buf, len, buf.length - len);
                    if (n < 0) {
                        throw new IOException("server closed the connection at request " + i);
                    }
                    len += n;
                    if (len >= 2 && buf[len - 1] == '\n' && buf[len - 2] == '\n') {
                        break;
                    }
                    if (len == buf.length) {
                        throw new IOException("reply too long at request " + i);
                    }
                }
                long t1 = System.nanoTime();
                if (k >= warm) {
                    if (open) {
                        part.latency.recordValue(Math.max(1, (t1 - due) / 1000));
                        part.service.recordValue(Math.max(1, (t1 - t0) / 1000));
                        part.lag.recordValue(Math.max(1, (t0 - due) / 1000));
                    } else {
                        part.latency.recordValue(Math.max(1, (t1 - t0) / 1000));
                    }
                    part.measured++;
                }
                int kind = kindOf(buf, len);
                if (kind < KINDS.length) {
                    kinds[kind]++;
                } else {
                    part.actions.merge(kind(new String(buf, 0, len, StandardCharsets.US_ASCII)), 1L, Long::sum);
                }
            }
            part.endNanos = System.nanoTime();
            for (int j = 0; j < KINDS.length; j++) {
                if (kinds[j] > 0) {
                    part.actions.merge(KINDS[j], kinds[j], Long::sum);
                }
            }
        }
        return part;
    }

    /** The kinds {@link #kindOf(byte[], int)} tells apart without making a string. */
    static final String[] KINDS = {"allow (DUNNO/OK)", "4xx/defer", "5xx/reject"};
    private static final byte[] ACTION = "action=".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DUNNO = "action=DUNNO\n".getBytes(StandardCharsets.US_ASCII);

    /**
     * The kind of a reply as {@link #kind(String)} gives it, without allocating, for the common replies: an index
     * into {@link #KINDS}, or {@code KINDS.length} when {@link #kind(String)} must look at it.
     */
    static int kindOf(byte[] reply, int len) {
        if (len < ACTION.length + 1 || !java.util.Arrays.equals(reply, 0, ACTION.length, ACTION, 0, ACTION.length)) {
            return KINDS.length;
        }
        if (len >= DUNNO.length && java.util.Arrays.equals(reply, 0, DUNNO.length, DUNNO, 0, DUNNO.length)) {
            return 0;
        }
        byte first = reply[ACTION.length];
        return first == '4' ? 1 : first == '5' ? 2 : KINDS.length;
    }

    /** The kind of an action, for the agreement check: DUNNO/OK, 4xx, 5xx, or the action itself. */
    static String kind(String reply) {
        String a = reply.strip();
        if (a.startsWith("action=")) {
            a = a.substring(7);
        }
        String up = a.toUpperCase(Locale.ROOT);
        if (up.startsWith("DUNNO") || up.equals("OK") || up.startsWith("PREPEND")) {
            return "allow (DUNNO/OK)";
        }
        if (up.startsWith("4") || up.startsWith("DEFER")) {
            return "4xx/defer";
        }
        if (up.startsWith("5") || up.startsWith("REJECT")) {
            return "5xx/reject";
        }
        return a;
    }

    /** The merged measurements of every connection. */
    public static final class Result {
        private final Histogram latency;
        private final Histogram service;
        private final Histogram lag;
        private final Map<String, Long> actions;
        private final double requestsPerSecond;
        private final long measured;

        private Result(Histogram latency, Histogram service, Histogram lag, Map<String, Long> actions,
                double requestsPerSecond, long measured) {
            this.latency = latency;
            this.service = service;
            this.lag = lag;
            this.actions = actions;
            this.requestsPerSecond = requestsPerSecond;
            this.measured = measured;
        }

        static Result of(List<Part> parts) {
            Histogram h = new Histogram(3_600_000_000L, 3);
            Histogram service = new Histogram(3_600_000_000L, 3);
            Histogram lag = new Histogram(3_600_000_000L, 3);
            Map<String, Long> actions = new TreeMap<>();
            long start = Long.MAX_VALUE;
            long end = Long.MIN_VALUE;
            long measured = 0;
            for (Part p : parts) {
                h.add(p.latency);
                service.add(p.service);
                lag.add(p.lag);
                p.actions.forEach((k, v) -> actions.merge(k, v, Long::sum));
                start = Math.min(start, p.startNanos);
                end = Math.max(end, p.endNanos);
                measured += p.measured;
            }
            return new Result(h, service, lag, actions, measured / ((end - start) / 1e9), measured);
        }

        /** @return measured requests per second, over the measured part of the stream */
        public double requestsPerSecond() {
            return requestsPerSecond;
        }

        /**
         * @param percentile e.g. 99.0
         * @return the latency at that percentile, in microseconds
         */
        public long latencyMicros(double percentile) {
            return latency.getValueAtPercentile(percentile);
        }

        /**
         * @param percentile e.g. 99.0
         * @return open loop: the latency from the actual send at that percentile, in microseconds (0 in closed
         *     loop, where {@link #latencyMicros(double)} is measured from the send)
         */
        public long serviceMicros(double percentile) {
            return service.getTotalCount() == 0 ? 0 : service.getValueAtPercentile(percentile);
        }

        /**
         * @param percentile e.g. 99.0
         * @return open loop: how late the generator sent, at that percentile, in microseconds (0 in closed loop)
         */
        public long lagMicros(double percentile) {
            return lag.getTotalCount() == 0 ? 0 : lag.getValueAtPercentile(percentile);
        }

        /** @return the measured requests */
        public long measured() {
            return measured;
        }

        /** @return how many replies of each kind, over the whole stream */
        public Map<String, Long> actions() {
            return actions;
        }
    }

    /**
     * Counts the distinct client addresses of the first {@code n} requests.
     *
     * @param n the stream length
     * @return the number of distinct addresses
     */
    static long distinctClients(long n) {
        BitSet pool = new BitSet(POOL);
        java.util.Set<Integer> others = new java.util.HashSet<>();
        for (long i = 0; i < n; i++) {
            int c = client(i);
            if ((c >>> 24) == 10) {
                pool.set(c & (POOL - 1));
            } else {
                others.add(c);
            }
        }
        return pool.cardinality() + (long) others.size();
    }

    /**
     * Runs the generator from the command line.
     *
     * @param args {@code --target HOST:PORT --name NAME [--connections N] [--requests N] [--warmup F]
     *     [--rate R]} ({@code --rate}: open loop at R requests/s in all), or
     *     {@code --distinct N} to print the number of distinct clients in the first N requests
     * @throws Exception if the run fails
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new TreeMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --option value, got " + args[i]);
            }
            opts.put(args[i].substring(2), args[i + 1]);
        }
        if (opts.containsKey("distinct")) {
            long n = Long.parseLong(opts.get("distinct"));
            System.out.println("distinct client addresses in " + n + " requests: " + distinctClients(n));
            return;
        }
        String t = Objects.requireNonNull(opts.get("target"), "--target HOST:PORT is required");
        int colon = t.lastIndexOf(':');
        InetSocketAddress target = new InetSocketAddress(t.substring(0, colon), Integer.parseInt(t.substring(colon + 1)));
        String name = opts.getOrDefault("name", t);
        LoadGenerator g = new LoadGenerator(target, Integer.parseInt(opts.getOrDefault("connections", "20")),
                Long.parseLong(opts.getOrDefault("requests", "1250000")),
                Double.parseDouble(opts.getOrDefault("warmup", "0.05")),
                Double.parseDouble(opts.getOrDefault("rate", "0")));
        Result r = g.run();
        System.out.printf(Locale.ROOT, "RESULT %s %.0f %d %d %d %d %d%n", name, r.requestsPerSecond(),
                r.latencyMicros(50), r.latencyMicros(99), r.latencyMicros(99.9), r.latency.getMaxValue(), g.requests);
        if (g.rate > 0) {
            System.out.printf(Locale.ROOT, "SERVICE %s %d %d %d %d%n", name, r.serviceMicros(50), r.serviceMicros(99),
                    r.serviceMicros(99.9), r.service.getMaxValue());
            System.out.printf(Locale.ROOT, "LAG %s %d %d %d %d%n", name, r.lagMicros(50), r.lagMicros(99),
                    r.lagMicros(99.9), r.lag.getMaxValue());
        }
        System.out.println("ACTIONS " + name + " " + r.actions());
    }
}
