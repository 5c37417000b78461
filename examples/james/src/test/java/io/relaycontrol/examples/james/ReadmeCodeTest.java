package io.relaycontrol.examples.james;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaycontrol.testkit.ReadmeCode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every {@code ```java} block of the repository's READMEs tagged {@code module: examples/james}, compiled (and run,
 * unless compile-only) against this module's classes and James's (see {@link ReadmeCode}).
 */
class ReadmeCodeTest {

    @TestFactory
    Stream<DynamicTest> readmeJavaBlocksOfTheJamesHooksCompile() {
        List<DynamicTest> tests = new ArrayList<>();
        for (ReadmeCode readme : ReadmeCode.repositoryReadmes(ReadmeCode.repositoryRoot())) {
            for (ReadmeCode.Block b : readme.javaBlocks("examples/james")) {
                tests.add(DynamicTest.dynamicTest(b.toString(), () -> b.check("io.relaycontrol.examples.james.*",
                        "org.apache.james.protocols.smtp.*", "org.apache.james.protocols.netty.*",
                        "org.apache.james.metrics.api.*")));
            }
        }
        assertThat(tests).as("README.md has Java blocks for the James hooks").isNotEmpty();
        return tests.stream();
    }
}
