package io.relaycontrol.examples.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

/** The private Postfix helper itself: skipping and failing, isolation of two instances, nothing left running. */
class PostfixInstanceTest {

    private static final File MISSING = new File("/nonexistent/postfix");

    @Test
    void requirePostfixWhenMissingThenTestIsSkippedWithAMessage() {
        assertThatThrownBy(() -> PostfixInstance.requirePostfix(MISSING, true, null))
                .isInstanceOf(TestAbortedException.class).hasMessageContaining("postfix is not installed");
    }

    @Test
    void requirePostfixWhenMissingOnCiThenTestFails() {
        assertThatThrownBy(() -> PostfixInstance.requirePostfix(MISSING, true, "true"))
                .isInstanceOf(AssertionError.class).hasMessageContaining("CI=true");
    }

    @Test
    void requirePostfixWhenNotRootOnCiThenTestFails() {
        assertThatThrownBy(() -> PostfixInstance.requirePostfix(new File("/bin/sh"), false, "true"))
                .isInstanceOf(AssertionError.class).hasMessageContaining("not running as root");
    }

    @Test
    void requirePostfixWhenInstalledAndRootThenNothingHappens() {
        PostfixInstance.requirePostfix(new File("/bin/sh"), true, "true");
    }

    @Test
    void twoInstancesAtOnceThenOwnPortsAndDirectoriesAndNothingLeftAfterClose() throws IOException {
        PostfixInstance a = PostfixInstance.start(Map.of());
        List<ProcessHandle> processes;
        try (PostfixInstance b = PostfixInstance.start(Map.of())) {
            assertThat(a.smtpPort()).isNotEqualTo(b.smtpPort());
            assertThat(a.directory()).isNotEqualTo(b.directory());
            try (SmtpClient ca = new SmtpClient(a.smtpPort()); SmtpClient cb = new SmtpClient(b.smtpPort())) {
                assertThat(ca.greeting()).startsWith("220 mx.example.com ESMTP");
                assertThat(cb.greeting()).startsWith("220 mx.example.com ESMTP");
            }
            processes = a.processes();
            assertThat(processes).hasSizeGreaterThan(2); // the script, the master and its services
        } finally {
            a.close();
        }
        assertThat(processes).noneMatch(PostfixInstance::running);
        assertThat(a.isAlive()).isFalse();
        assertThat(Files.exists(a.directory())).isFalse();
    }
}
