package io.relaycontrol.examples.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaycontrol.testkit.ReadmeCode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every {@code ```java} block of the repository's READMEs tagged {@code module: examples/policy-server}, compiled and
 * run against this module's classes (see {@link ReadmeCode}).
 */
class ReadmeCodeTest {

    @TestFactory
    Stream<DynamicTest> readmeJavaBlocksOfThePolicyServerCompileAndRun() {
        List<DynamicTest> tests = new ArrayList<>();
        for (ReadmeCode readme : ReadmeCode.repositoryReadmes(ReadmeCode.repositoryRoot())) {
            for (ReadmeCode.Block b : readme.javaBlocks("examples/policy-server")) {
                tests.add(DynamicTest.dynamicTest(b.toString(), () -> b.check("io.relaycontrol.examples.policy.*")));
            }
        }
        assertThat(tests).as("README.md has Java blocks for the policy server").isNotEmpty();
        return tests.stream();
    }
}
