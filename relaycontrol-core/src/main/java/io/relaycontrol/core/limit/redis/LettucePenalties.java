package io.relaycontrol.core.limit.redis;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisScriptingCommands;
import io.lettuce.core.api.sync.RedisStringCommands;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.relaycontrol.api.RelayClock;
import java.nio.charset.StandardCharsets;

/**
 * The Lettuce side of {@link RedisPenaltyStore}, kept apart so that the public class loads without Lettuce.
 * Thread-safe (Lettuce's synchronous commands are). Not API.
 */
final class LettucePenalties {

    /**
     * Compare and set: KEYS[1] the record, ARGV[1] the expected value ('' for none), ARGV[2] the new value,
     * ARGV[3] its time to live in milliseconds. Returns 1 if set, 0 if the value had changed.
     */
    static final String COMPARE_AND_SET = "local cur = redis.call('GET', KEYS[1])\n"
            + "if (cur == false and ARGV[1] == '') or cur == ARGV[1] then\n"
            + "  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])\n"
            + "  return 1\n"
            + "end\n"
            + "return 0\n";

    private final RedisStringCommands<String, byte[]> strings;
    private final RedisScriptingCommands<String, byte[]> scripts;
    private final boolean cluster;
    private final RelayClock clock;
    private final String description;

    @SuppressWarnings("unchecked")
    LettucePenalties(LettuceBackend backend) {
        Object c = backend.connection();
        if (c instanceof StatefulRedisClusterConnection) {
            var sync = ((StatefulRedisClusterConnection<String, byte[]>) c).sync();
            this.strings = sync;
            this.scripts = sync;
        } else {
            var sync = ((StatefulRedisConnection<String, byte[]>) c).sync();
            this.strings = sync;
            this.scripts = sync;
        }
        this.cluster = backend.isCluster();
        this.clock = backend.clock();
        this.description = backend.description();
    }

    String redisKey(Object key) {
        return cluster ? "relaycontrol:penalty:{" + key + "}" : "relaycontrol:penalty:" + key;
    }

    long nowMillis() {
        return Math.floorDiv(clock.epochNanos(), 1_000_000L);
    }

    String get(String redisKey) {
        byte[] v = strings.get(redisKey);
        return v == null ? null : new String(v, StandardCharsets.UTF_8);
    }

    boolean compareAndSet(String redisKey, String expected, String update, long ttlMillis) {
        Long r = scripts.eval(COMPARE_AND_SET, ScriptOutputType.INTEGER, new String[] {redisKey},
                expected.getBytes(StandardCharsets.UTF_8), update.getBytes(StandardCharsets.UTF_8),
                Long.toString(ttlMillis).getBytes(StandardCharsets.UTF_8));
        return r != null && r == 1L;
    }

    String description() {
        return description;
    }
}
