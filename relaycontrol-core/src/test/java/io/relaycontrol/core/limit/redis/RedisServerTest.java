package io.relaycontrol.core.limit.redis;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

class RedisServerTest {

    @Test
    void requireBinaryWhenMissingOutsideCiThenSkipsWithMessage() {
        assertThatThrownBy(() -> RedisServer.requireBinary(null, null)).isInstanceOf(TestAbortedException.class)
                .hasMessageContaining("redis-server is not installed");
        assertThatThrownBy(() -> RedisServer.requireBinary(null, "false")).isInstanceOf(TestAbortedException.class);
    }

    @Test
    void requireBinaryWhenMissingOnCiThenFails() {
        assertThatThrownBy(() -> RedisServer.requireBinary(null, "true")).isInstanceOf(AssertionError.class)
                .hasMessageContaining("CI=true");
    }

    @Test
    void requireBinaryWhenPresentThenProceeds() {
        assertThatCode(() -> RedisServer.requireBinary(new File("/usr/bin/redis-server"), "true"))
                .doesNotThrowAnyException();
    }
}
