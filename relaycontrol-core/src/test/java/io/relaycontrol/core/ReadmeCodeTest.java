package io.relaycontrol.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relaycontrol.testkit.ReadmeCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code ```java} block of {@code README.md} and {@code examples/*}{@code /README.md} whose module is
 * relaycontrol-core, compiled with javac and run (see {@link ReadmeCode} for the convention). The example modules
 * compile their own blocks in their {@code ReadmeCodeTest}; this test also refuses a block whose module has no such
 * test, so that no block escapes.
 */
class ReadmeCodeTest {

    /** The modules that have a ReadmeCodeTest compiling their blocks. */
    static final Set<String> MODULES_WITH_A_README_TEST = Set.of(ReadmeCode.DEFAULT_MODULE, "examples/smtp-server", "examples/policy-server",
            "examples/james");

    @TestFactory
    Stream<DynamicTest> readmeJavaBlocksOfRelaycontrolCoreCompileAndRun() {
        List<DynamicTest> tests = new ArrayList<>();
        for (ReadmeCode readme : ReadmeCode.repositoryReadmes(ReadmeCode.repositoryRoot())) {
            for (ReadmeCode.Block b : readme.javaBlocks(ReadmeCode.DEFAULT_MODULE)) {
                tests.add(DynamicTest.dynamicTest(b.toString(), b::check));
            }
        }
        assertThat(tests).as("README.md has Java blocks for relaycontrol-core").isNotEmpty();
        return tests.stream();
    }

    @Test
    void readmeBlocksWhenTaggedForAModuleThenThatModuleHasAReadmeCodeTest() {
        for (ReadmeCode readme : ReadmeCode.repositoryReadmes(ReadmeCode.repositoryRoot())) {
            for (ReadmeCode.Block b : readme.blocks()) {
                assertThat(MODULES_WITH_A_README_TEST).as("%s: module '%s' has no ReadmeCodeTest to compile it", b,
                        b.module()).contains(b.module());
            }
        }
    }

    // The mechanism itself: a drifted block fails, naming the README line and why.

    @TempDir
    Path dir;

    private ReadmeCode readme(String text) throws IOException {
        return ReadmeCode.parse(Files.writeString(dir.resolve("README.md"), text), "README.md");
    }

    @Test
    void checkWhenABlockUsesAnApiThatDoesNotExistThenFailsNamingTheReadmeLine() throws IOException {
        ReadmeCode r = readme("# t\n\ntext\n\n```java\nPolicy p = Policy.builder(\"relay\")\n"
                + "        .otherwiseAccept();\n```\n");
        assertThatThrownBy(() -> r.blocks().get(0).check()).isInstanceOf(AssertionError.class)
                .hasMessageStartingWith("README.md line 5: the ```java block (lines 6-7) does not compile:")
                .hasMessageContaining("README.md line 7: cannot find symbol")
                .hasMessageContaining("otherwiseAccept");
    }

    @Test
    void checkWhenABlockUsesAnUndeclaredVariableThenFailsSayingWhereToDeclareIt() throws IOException {
        ReadmeCode r = readme("```java\nNetworkSet s = NetworkSet.load(dropFile);\n```\n");
        assertThatThrownBy(() -> r.blocks().get(0).check()).isInstanceOf(AssertionError.class)
                .hasMessageContaining("README.md line 2: cannot find symbol").hasMessageContaining("dropFile")
                .hasMessageContaining("readme-code before:");
    }

    @Test
    void checkWhenTheBlockThrowsThenFailsWithTheExceptionAsCause() throws IOException {
        ReadmeCode r = readme("```java\nDomainSet d = DomainSet.of(\"*.example.com\");\n```\n");
        assertThatThrownBy(() -> r.blocks().get(0).check()).isInstanceOf(AssertionError.class)
                .hasMessageStartingWith("README.md line 1: the ```java block compiles but throws when run")
                .hasCauseInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void checkWhenTheHiddenContextIsWrongThenFailsNamingTheContextLine() throws IOException {
        ReadmeCode r = readme("<!-- readme-code\nbefore:\nPath file = nosuch();\n-->\n```java\nfile.toString();\n```\n");
        assertThatThrownBy(() -> r.blocks().get(0).check()).isInstanceOf(AssertionError.class)
                .hasMessageContaining("README.md line 3 (hidden readme-code context): cannot find symbol");
    }

    @Test
    void checkWhenContextGivesWhatTheBlockNeedsThenItRunsAndAfterLinesSeeItsVariables() throws IOException {
        ReadmeCode r = readme("<!-- readme-code\nid: t\nbefore:\nString client = \"192.0.2.1\";\nafter:\n"
                + "org.assertj.core.api.Assertions.assertThat(set.contains(client)).isTrue();\n"
                + "org.assertj.core.api.Assertions.assertThat(nextBlock).isEqualTo(\"output\");\n-->\n"
                + "```java\nimport java.util.concurrent.TimeUnit;\n\nNetworkSet set = NetworkSet.of(\"192.0.2.0/24\");\n"
                + "TimeUnit.SECONDS.toMillis(1);\n```\n\n```\noutput\n```\n");
        r.blocks().get(0).check();
        assertThat(r.block("t").run("set")).hasToString(io.relaycontrol.core.net.NetworkSet.of("192.0.2.0/24")
                .toString());
        ReadmeCode failing = readme("<!-- readme-code\nafter:\norg.assertj.core.api.Assertions.assertThat(n).isEqualTo(2);\n"
                + "-->\n```java\nint n = 1;\n```\n");
        assertThatThrownBy(() -> failing.blocks().get(0).check()).isInstanceOf(AssertionError.class)
                .hasMessageContaining("throws when run");
    }

    @Test
    void checkWhenCompileOnlyThenNotRun() throws IOException {
        ReadmeCode r = readme("<!-- readme-code\nmode: compile\n-->\n```java\nDomainSet.load(Path.of(\"/nonexistent\"));\n```\n");
        r.blocks().get(0).check();
        assertThat(r.blocks().get(0).runs()).isFalse();
    }

    @Test
    void parseWhenTheContextIsMalformedThenRefusedNamingTheLine() throws IOException {
        assertThatThrownBy(() -> readme("<!-- readme-code\nmodel: x\n-->\n```java\nint a;\n```\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("README.md line 2: unknown"
                        + " readme-code key 'model'");
        assertThatThrownBy(() -> readme("<!-- readme-code\nmode: compile\n-->\n\ntext\n```java\nint a;\n```\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("right before its ```java block");
        assertThatThrownBy(() -> readme("```java\nint a;\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("line 1: the ``` block is never closed");
        assertThatThrownBy(() -> readme("<!-- readme-code\nmode: fast\n-->\n```java\nint a;\n```\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mode must be");
    }

    @Test
    void checkWhenABlockDeclaresATypeThenCompiledAsAUnit() throws IOException {
        readme("```java\npublic final class MyRule implements Rule {\n"
                + "    public Decision decide(RelayRequest r) { return Decision.noOpinion(\"mine\", \"n/a\"); }\n"
                + "    public String name() { return \"mine\"; }\n}\n```\n").blocks().get(0).check();
    }
}
