package io.relaycontrol.core.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetworkListFileTest {

    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content, StandardCharsets.UTF_8);
        return p;
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void loadWhenPlainListThenEntriesCommentsAndExceptions() throws IOException {
        Path f = write("trusted.txt", "# trusted networks\n"
                + "\n"
                + "10.0.0.0/8      # office\n"
                + "; also a comment\n"
                + "!10.9.0.0/16\n"
                + "  192.168.1.7\n"
                + "2001:db8::/32;lab\n");
        NetworkSet s = NetworkSet.load(f, NetworkListFormat.PLAIN);
        assertThat(s.contains("10.1.2.3")).isTrue();
        assertThat(s.contains("10.9.1.1")).isFalse();
        assertThat(s.contains("192.168.1.7")).isTrue();
        assertThat(s.contains("2001:db8::5")).isTrue();
        NetworkMatch m = s.match(ip("192.168.1.7")).orElseThrow();
        assertThat(m.source()).isEqualTo(f.toString());
        assertThat(m.line()).isEqualTo(OptionalInt.of(6));
        assertThat(m.label()).isEmpty();
        assertThat(s.match(ip("10.1.2.3")).orElseThrow().toString()).isEqualTo("10.0.0.0/8 from " + f + " line 3");
    }

    @Test
    void loadWhenPlainListHasTrailingTextThenErrorNamesFileAndLine() throws IOException {
        Path f = write("plain.txt", "10.0.0.0/8\n192.168.0.0/16 OK\n");
        NetworkListException e = catchThrowableOfType(NetworkListException.class,
                () -> NetworkSet.load(f, NetworkListFormat.PLAIN));
        assertThat(e.file()).contains(f);
        assertThat(e.line()).isEqualTo(2);
        assertThat(e).hasMessageStartingWith(f + " line 2: ").hasMessageContaining("'OK'");
    }

    @Test
    void loadWhenSpamhausDropThenSblIdIsTheLabel() throws IOException {
        Path f = write("drop.txt", "; Spamhaus DROP List 2026/11/30 - (c) 2026 The Spamhaus Project\n"
                + "; Last-Modified: Mon, 30 Nov 2026 00:00:00 GMT\n"
                + "1.10.16.0/20 ; SBL256894\n"
                + "203.0.113.0/24 ; SBL123\n"
                + "2001:db8:dead::/48 ; SBL999\n");
        NetworkSet s = NetworkSet.load(f, NetworkListFormat.SPAMHAUS_DROP);
        NetworkMatch m = s.match(ip("203.0.113.7")).orElseThrow();
        assertThat(m.entry()).isEqualTo("203.0.113.0/24");
        assertThat(m.line()).hasValue(4);
        assertThat(m.label()).contains("SBL123");
        assertThat(m).hasToString("203.0.113.0/24 from " + f + " line 4 (SBL123)");
        assertThat(s.match(ip("2001:db8:dead::1")).orElseThrow().label()).contains("SBL999");
        assertThat(s.size()).isEqualTo(3);
    }

    @Test
    void loadWhenSpamhausLineHasOtherTextThenError() throws IOException {
        Path f = write("edrop.txt", "; header\n1.10.16.0/20 SBL256894\n");
        NetworkListException e = catchThrowableOfType(NetworkListException.class,
                () -> NetworkSet.load(f, NetworkListFormat.SPAMHAUS_DROP));
        assertThat(e.line()).isEqualTo(2);
        assertThat(e).hasMessageContaining("SBL256894");
    }

    @Test
    void loadWhenPostfixCidrTableThenActionIsTheLabel() throws IOException {
        Path f = write("client_access.cidr", "# Postfix cidr table\n"
                + "192.0.2.0/24      REJECT spammers\n"
                + "!192.0.2.128/25   OK\n"
                + "2001:db8::/32     OK\n"
                + "198.51.100.0/24   550 5.7.1 go away\n"
                + "    and stay away\n");
        NetworkSet s = NetworkSet.load(f, NetworkListFormat.POSTFIX_CIDR);
        assertThat(s.match(ip("192.0.2.1")).orElseThrow().label()).contains("REJECT spammers");
        assertThat(s.contains("192.0.2.200")).isFalse();
        assertThat(s.match(ip("198.51.100.9")).orElseThrow().label()).contains("550 5.7.1 go away and stay away");
        assertThat(s.match(ip("2001:db8::1")).orElseThrow().line()).hasValue(4);
    }

    @Test
    void loadWhenPostfixLineHasNoActionThenError() throws IOException {
        Path f = write("t.cidr", "192.0.2.0/24 OK\n10.0.0.0/8\n");
        NetworkListException e = catchThrowableOfType(NetworkListException.class,
                () -> NetworkSet.load(f, NetworkListFormat.POSTFIX_CIDR));
        assertThat(e.line()).isEqualTo(2);
        assertThat(e).hasMessageContaining("no action");
    }

    @Test
    void loadWhenPostfixIfBlockThenClearError() throws IOException {
        Path f = write("t.cidr", "if 10.0.0.0/8\n10.1.0.0/16 OK\nendif\n");
        NetworkListException e = catchThrowableOfType(NetworkListException.class,
                () -> NetworkSet.load(f, NetworkListFormat.POSTFIX_CIDR));
        assertThat(e.line()).isEqualTo(1);
        assertThat(e).hasMessageContaining("not supported");
    }

    @Test
    void loadWhenPostfixContinuationWithoutEntryThenError() throws IOException {
        Path f = write("t.cidr", "# header\n   OK\n");
        NetworkListException e = catchThrowableOfType(NetworkListException.class,
                () -> NetworkSet.load(f, NetworkListFormat.POSTFIX_CIDR));
        assertThat(e.line()).isEqualTo(2);
        assertThat(e).hasMessageContaining("continuation");
    }

    @Test
    void loadWhenAutoThenEachLineStyleAccepted() throws IOException {
        Path f = write("mixed.txt", "10.0.0.0/8\n"
                + "203.0.113.0/24 ; SBL123\n"
                + "198.51.100.0/24  REJECT\n"
                + "192.0.2.0/24 # comment\n"
                + "!10.9.0.0/16\n");
        NetworkSet s = NetworkSet.load(f);
        assertThat(s.match(ip("203.0.113.1")).orElseThrow().label()).contains("SBL123");
        assertThat(s.match(ip("198.51.100.1")).orElseThrow().label()).contains("REJECT");
        assertThat(s.match(ip("192.0.2.1")).orElseThrow().label()).isEmpty();
        assertThat(s.contains("10.9.0.1")).isFalse();
        assertThat(s.size()).isEqualTo(4);
    }

    @Test
    void loadWhenInvalidEntryThenErrorNamesFileLineAndReason() throws IOException {
        Path f = write("bad.txt", "10.0.0.0/8\n\n# x\n10.1.2.3/8\n");
        NetworkListException e = catchThrowableOfType(NetworkListException.class, () -> NetworkSet.load(f));
        assertThat(e.file()).contains(f);
        assertThat(e.line()).isEqualTo(4);
        assertThat(e).hasMessageStartingWith(f + " line 4: ").hasMessageContaining("host bits");
        assertThat(e.invalidEntry()).map(InvalidNetworkException::reason)
                .contains(InvalidNetworkException.Reason.HOST_BITS_SET);
        assertThat(e.detail()).contains("10.1.2.3/8");
    }

    @Test
    void loadWhenHostNameInFileThenHostNameReason() throws IOException {
        Path f = write("names.txt", "mail.example.com\n");
        NetworkListException e = catchThrowableOfType(NetworkListException.class, () -> NetworkSet.load(f));
        assertThat(e.line()).isEqualTo(1);
        assertThat(e).hasMessageContaining("host name");
        assertThat(e.invalidEntry()).map(InvalidNetworkException::reason).contains(InvalidNetworkException.Reason.HOST_NAME);
    }

    @Test
    void loadWhenLoneExclamationThenError() throws IOException {
        Path f = write("bang.txt", "10.0.0.0/8\n!\n");
        NetworkListException e = catchThrowableOfType(NetworkListException.class, () -> NetworkSet.load(f));
        assertThat(e.line()).isEqualTo(2);
        assertThat(e.invalidEntry()).map(InvalidNetworkException::reason).contains(InvalidNetworkException.Reason.EMPTY);
    }

    @Test
    void loadWhenMissingFileThenErrorNamesFile() {
        Path f = dir.resolve("missing.txt");
        NetworkListException e = catchThrowableOfType(NetworkListException.class, () -> NetworkSet.load(f));
        assertThat(e.file()).contains(f);
        assertThat(e.line()).isZero();
        assertThat(e).hasMessageContaining("missing.txt").hasMessageContaining("no such file");
    }

    @Test
    void loadWhenDirectoryThenCannotReadError() {
        NetworkListException e = catchThrowableOfType(NetworkListException.class, () -> NetworkSet.load(dir));
        assertThat(e.line()).isZero();
        assertThat(e).hasMessageContaining("cannot read");
    }

    @Test
    void loadWhenNotUtf8ThenErrorNamesLine() throws IOException {
        Path f = dir.resolve("latin1.txt");
        Files.write(f, new byte[] {'1', '0', '.', '0', '.', '0', '.', '0', '/', '8', '\n', '#', ' ', (byte) 0xE9, '\n'});
        NetworkListException e = catchThrowableOfType(NetworkListException.class, () -> NetworkSet.load(f));
        assertThat(e).hasMessageContaining("UTF-8");
    }

    @Test
    void loadWhenByteOrderMarkThenIgnored() throws IOException {
        Path f = write("bom.txt", "\uFEFF10.0.0.0/8\n");
        assertThat(NetworkSet.load(f).contains("10.0.0.1")).isTrue();
    }

    @Test
    void loadWhenEmptyFileThenEmptySet() throws IOException {
        assertThat(NetworkSet.load(write("empty.txt", "# nothing\n")).isEmpty()).isTrue();
    }

    @Test
    void addFileWhenLenientAndSeveralFilesThenSourcesKept() throws IOException {
        Path a = write("a.txt", "10.1.2.3/8\n");
        Path b = write("b.txt", "192.0.2.0/24 ; SBL1\n");
        NetworkSet s = NetworkSet.builder().lenient(true).addFile(a).addFile(b, NetworkListFormat.SPAMHAUS_DROP)
                .add("198.51.100.0/24", "config", "partners").build();
        assertThat(s.match(ip("10.200.0.1")).orElseThrow()).hasToString("10.0.0.0/8 from " + a + " line 1");
        assertThat(s.match(ip("192.0.2.1")).orElseThrow()).hasToString("192.0.2.0/24 from " + b + " line 1 (SBL1)");
        assertThat(s.match(ip("198.51.100.1")).orElseThrow()).hasToString("198.51.100.0/24 from config (partners)");
    }

    @Test
    void reloadWhenFileChangedThenNewSetSwappedIn() throws IOException {
        Path f = write("drop.txt", "203.0.113.0/24 ; SBL1\n");
        ReloadableNetworkSet r = ReloadableNetworkSet.load(f, NetworkListFormat.SPAMHAUS_DROP);
        NetworkSet first = r.current();
        assertThat(first.contains("203.0.113.1")).isTrue();
        write("drop.txt", "198.51.100.0/24 ; SBL2\n192.0.2.0/24 ; SBL3\n");
        ReloadableNetworkSet.Result result = r.reload();
        assertThat(result.succeeded()).isTrue();
        assertThat(result.failure()).isEmpty();
        assertThat(result.previous()).isSameAs(first);
        assertThat(result.current()).isSameAs(r.current()).isSameAs(r.get());
        assertThat(r.current().contains("203.0.113.1")).isFalse();
        assertThat(r.current().contains("198.51.100.1")).isTrue();
        assertThat(result).hasToString("reloaded: 2 networks (was 1)");
        assertThat(first.contains("203.0.113.1")).as("a built set never changes").isTrue();
        assertThat(r.file()).isEqualTo(f);
    }

    @Test
    void reloadWhenFileBrokenThenOldSetKeptAndReasonGiven() throws IOException {
        Path f = write("drop.txt", "203.0.113.0/24 ; SBL1\n");
        ReloadableNetworkSet r = ReloadableNetworkSet.load(f);
        NetworkSet first = r.current();
        write("drop.txt", "198.51.100.0/24\nnot-an-ip!\n");
        ReloadableNetworkSet.Result result = r.reload();
        assertThat(result.succeeded()).isFalse();
        assertThat(result.current()).isSameAs(first);
        assertThat(r.current()).isSameAs(first);
        NetworkListException e = result.failure().orElseThrow();
        assertThat(e.line()).isEqualTo(2);
        assertThat(result.toString()).startsWith("reload failed, keeping the previous 1 networks: " + f + " line 2");
    }

    @Test
    void reloadWhenFileDeletedThenOldSetKept() throws IOException {
        Path f = write("drop.txt", "203.0.113.0/24\n");
        ReloadableNetworkSet r = ReloadableNetworkSet.load(f, NetworkListFormat.PLAIN, false);
        Files.delete(f);
        ReloadableNetworkSet.Result result = r.reload();
        assertThat(result.succeeded()).isFalse();
        assertThat(result.failure().orElseThrow()).hasMessageContaining("no such file");
        assertThat(r.current().contains("203.0.113.9")).isTrue();
    }

    @Test
    void loadWhenFirstLoadFailsThenThrows() throws IOException {
        Path f = write("drop.txt", "10.1.2.3/8\n");
        assertThatThrownBy(() -> ReloadableNetworkSet.load(f)).isInstanceOf(NetworkListException.class)
                .hasMessageContaining("line 1");
        assertThat(ReloadableNetworkSet.load(f, NetworkListFormat.PLAIN, true).current().contains("10.9.9.9")).isTrue();
    }
}
