package io.relaycontrol.core.address;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DomainSetFileTest {

    @TempDir
    Path dir;

    @Test
    void loadWhenFileHasCommentsAndBlankLinesThenEntriesWithLineNumbers() throws IOException {
        Path f = Files.writeString(dir.resolve("local-domains"), String.join("\n",
                "\uFEFF# local domains",
                "",
                "example.com        # the main domain",
                "  .example.com  ",
                "; old style comment",
                "Example.ORG.;trailing comment",
                "bücher.example",
                "[192.0.2.1]",
                "example.com"), StandardCharsets.UTF_8);
        DomainSet s = DomainSet.load(f);
        assertThat(s.entries()).containsExactly("example.com", ".example.com", "example.org",
                "xn--bcher-kva.example", "[192.0.2.1]");
        assertThat(s.name()).isEqualTo(f.toString());
        assertThat(s.match("mail.example.com")).get().extracting(DomainMatch::origin).isEqualTo(f + ":4");
        assertThat(s.match("example.org")).get().extracting(DomainMatch::line).isEqualTo(6);
    }

    @Test
    void loadWhenBadEntriesThenExceptionNamesFileAndEveryLine() throws IOException {
        Path f = Files.writeString(dir.resolve("relay-domains"), String.join("\n",
                "good.example",
                "*.example.com",
                "# fine",
                "10.0.0.1",
                "two.example three.example",
                "bad..example",
                "ok.example"), StandardCharsets.UTF_8);
        assertThatThrownBy(() -> DomainSet.load(f))
                .isInstanceOfSatisfying(DomainListException.class, e -> {
                    assertThat(e.errors()).extracting(DomainListException.EntryError::line).containsExactly(2, 4, 5, 6);
                    assertThat(e.errors()).allSatisfy(err -> assertThat(err.source()).isEqualTo(f.toString()));
                    assertThat(e.errors().get(0).reason()).contains("write '.example.com'");
                    assertThat(e.errors().get(1).reason()).contains("address literal such as [10.0.0.1]");
                    assertThat(e.errors().get(2).reason()).contains("one entry per line");
                    assertThat(e.errors().get(3).reason()).contains("empty label");
                    assertThat(e.getMessage()).startsWith("4 bad domain list entries: " + f + ":2: '*.example.com'");
                });
    }

    @Test
    void loadWhenFileMissingOrNotUtf8ThenDomainListExceptionNamingTheFile() throws IOException {
        Path missing = dir.resolve("missing");
        assertThatThrownBy(() -> DomainSet.load(missing)).isInstanceOf(DomainListException.class)
                .hasMessage("cannot read " + missing + ": no such file")
                .satisfies(e -> {
                    DomainListException d = (DomainListException) e;
                    assertThat(d.file()).contains(missing);
                    assertThat(d.line()).isZero();
                    assertThat(d.getCause()).isInstanceOf(IOException.class);
                });
        Path f = Files.write(dir.resolve("latin1"), new byte[] {'a', (byte) 0xE9, '.', 'e', 'x', '\n'});
        assertThatThrownBy(() -> DomainSet.load(f)).isInstanceOf(DomainListException.class)
                .hasMessageContaining("not valid UTF-8");
    }

    @Test
    void loadWhenBadLineThenFileAndLineOnTheException() throws IOException {
        Path f = Files.writeString(dir.resolve("bad"), "a.example\n*.example.com\n");
        assertThatThrownBy(() -> DomainSet.load(f)).isInstanceOf(DomainListException.class)
                .satisfies(e -> {
                    DomainListException d = (DomainListException) e;
                    assertThat(d.file()).contains(f);
                    assertThat(d.line()).isEqualTo(2);
                    assertThat(d.first().line()).isEqualTo(2);
                });
    }

    @Test
    void parseWhenLinesGivenThenSourceNameUsedInErrors() {
        assertThatThrownBy(() -> DomainSet.parse(List.of("a.example", "", "exa\u0000mple.com"), "ldap:relay"))
                .isInstanceOfSatisfying(DomainListException.class, e -> {
                    assertThat(e.first().source()).isEqualTo("ldap:relay");
                    assertThat(e.first().line()).isEqualTo(3);
                    assertThat(e.first().entry()).isEqualTo("exa\\u0000mple.com");
                    assertThat(e.first().reason()).contains("U+0000 (NUL)");
                });
        assertThat(DomainSet.parse(List.of("# nothing", "   "), "empty").isEmpty()).isTrue();
    }
}
