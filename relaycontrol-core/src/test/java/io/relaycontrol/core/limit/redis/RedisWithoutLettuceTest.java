package io.relaycontrol.core.limit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import org.junit.jupiter.api.Test;

/** Redis is an optional dependency: without Lettuce, building the store fails once, naming what to add. */
class RedisWithoutLettuceTest {

    /**
     * Loads relaycontrol's classes itself (so that they link against it) and hides Lettuce and Bucket4j's
     * Redis module, as an application without those two dependencies would.
     */
    static final class HidingLoader extends ClassLoader {
        private final String[] hidden;

        HidingLoader(ClassLoader parent, String... hidden) {
            super(parent);
            this.hidden = hidden;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            for (String h : hidden) {
                if (name.startsWith(h)) {
                    throw new ClassNotFoundException(name + " (hidden by the test)");
                }
            }
            if (!name.startsWith("io.relaycontrol.")) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    String resource = name.replace('.', '/') + ".class";
                    try (InputStream in = getParent().getResourceAsStream(resource)) {
                        if (in == null) {
                            throw new ClassNotFoundException(name);
                        }
                        byte[] bytes = in.readAllBytes();
                        c = defineClass(name, bytes, 0, bytes.length);
                    } catch (IOException e) {
                        throw new ClassNotFoundException(name, e);
                    }
                }
                if (resolve) {
                    resolveClass(c);
                }
                return c;
            }
        }
    }

    private static Throwable buildIn(ClassLoader loader) throws Exception {
        Class<?> store = Class.forName(RedisLimitStore.class.getName(), true, loader);
        Object builder = store.getMethod("builder", String.class).invoke(null, "redis://127.0.0.1:1");
        Method build = builder.getClass().getMethod("build");
        try {
            build.invoke(builder);
            return null;
        } catch (InvocationTargetException e) {
            return e.getCause();
        }
    }

    @Test
    void buildWhenLettuceMissingThenOneErrorNamingBothArtifacts() throws Exception {
        Throwable t = buildIn(new HidingLoader(getClass().getClassLoader(), "io.lettuce.", "io.github.bucket4j.redis."));
        assertThat(t).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("com.bucket4j:bucket4j_jdk17-lettuce")
                .hasMessageContaining("io.lettuce:lettuce-core")
                .hasMessageContaining("missing now: io.lettuce:lettuce-core, com.bucket4j:bucket4j_jdk17-lettuce");
    }

    @Test
    void buildWhenOnlyBucket4jRedisMissingThenTheErrorSaysWhich() throws Exception {
        Throwable t = buildIn(new HidingLoader(getClass().getClassLoader(), "io.github.bucket4j.redis."));
        assertThat(t).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("missing now: com.bucket4j:bucket4j_jdk17-lettuce)");
    }

    @Test
    void buildWhenDependenciesPresentThenNoDependencyError() throws Exception {
        // nothing listens on port 1: the failure is the connection, not a missing class
        Throwable t = buildIn(new HidingLoader(getClass().getClassLoader()));
        assertThat(t).isInstanceOf(IllegalStateException.class).hasMessageContaining("cannot connect to Redis");
        assertThatCode(() -> RedisLimitStore.requireRedisDependencies(getClass().getClassLoader()))
                .doesNotThrowAnyException();
    }
}
