package io.relaycontrol.core.address;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReloadableDomainSetTest {

    @TempDir
    Path dir;

    @Test
    void reloadWhenFileChangedThenNewListReplacesOldAtomically() throws IOException {
        Path f = Files.writeString(dir.resolve("relay"), "a.example\n");
        ReloadableDomainSet r = ReloadableDomainSet.load(f);
        DomainSet before = r.current();
        assertThat(r.contains("a.example")).isTrue();

        Files.writeString(f, "b.example\n.c.example\n");
        ReloadableDomainSet.ReloadResult result = r.reload();

        assertThat(result.succeeded()).isTrue();
        assertThat(result.previousSize()).isEqualTo(1);
        assertThat(result.size()).isEqualTo(2);
        assertThat(result.toString()).isEqualTo("reloaded: 1 -> 2 entries");
        assertThat(r.contains("a.example")).isFalse();
        assertThat(r.contains("x.c.example")).isTrue();
        assertThat(before.contains("a.example")).as("a snapshot never changes").isTrue();
    }

    @Test
    void reloadWhenFileHasBadEntryThenOldListKeptAndReasonGiven() throws IOException {
        Path f = Files.writeString(dir.resolve("relay"), "a.example\n");
        ReloadableDomainSet r = ReloadableDomainSet.load(f);
        DomainSet before = r.current();
        Files.writeString(f, "b.example\n*.c.example\n");

        ReloadableDomainSet.ReloadResult result = r.reload();

        assertThat(result.succeeded()).isFalse();
        assertThat(result.error()).get().asString().contains(f + ":2: '*.c.example'").contains("write '.c.example'");
        assertThat(result.cause()).get().isInstanceOf(DomainListException.class);
        assertThat(result.size()).isEqualTo(1);
        assertThat(result.toString()).startsWith("reload failed, kept 1 entries: ");
        assertThat(r.current()).isSameAs(before);
        assertThat(r.contains("a.example")).isTrue();
        assertThat(r.contains("b.example")).isFalse();
    }

    @Test
    void reloadWhenFileDeletedThenOldListKeptAndIoErrorReported() throws IOException {
        Path f = Files.writeString(dir.resolve("relay"), "a.example\n");
        ReloadableDomainSet r = ReloadableDomainSet.load(f);
        Files.delete(f);
        ReloadableDomainSet.ReloadResult result = r.reload();
        assertThat(result.succeeded()).isFalse();
        assertThat(result.error()).get().asString().startsWith("cannot read " + f);
        assertThat(r.contains("a.example")).isTrue();
    }

    @Test
    void reloadWhenLoaderFailsOrReturnsNullThenOldListKept() {
        AtomicReference<DomainSet> next = new AtomicReference<>();
        DomainSet initial = DomainSet.of("a.example");
        ReloadableDomainSet r = ReloadableDomainSet.of("test source", initial, () -> {
            DomainSet s = next.get();
            if (s == DomainSet.empty()) {
                throw new IllegalStateException("backend down");
            }
            return s;
        });
        assertThat(r.reload().error()).contains("loader for test source returned null");
        next.set(DomainSet.empty());
        assertThat(r.reload().error()).contains("backend down");
        assertThat(r.current()).isSameAs(initial);
        next.set(DomainSet.of("z.example"));
        assertThat(r.reload().succeeded()).isTrue();
        assertThat(r.current().entries()).containsExactly("z.example");
    }
}
