package io.relaycontrol.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class RelayConfigExceptionTest {

    @Test
    void messageWhenKeyFileAndLineKnownThenNamesAllThree() {
        RelayConfigException e = new RelayConfigException("relay.trusted-networks", Path.of("nets.txt"), 3,
                "'10.1.2.3/8' has host bits set", null);
        assertThat(e).hasMessage("relay.trusted-networks: nets.txt line 3: '10.1.2.3/8' has host bits set");
        assertThat(e.key()).contains("relay.trusted-networks");
        assertThat(e.file()).contains(Path.of("nets.txt"));
        assertThat(e.line()).isEqualTo(3);
        assertThat(e.detail()).isEqualTo("'10.1.2.3/8' has host bits set");
        assertThat(e).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void messageWhenOnlyTheFileOrNothingKnownThenLeavesTheRestOut() {
        assertThat(new RelayConfigException(null, Path.of("drop.txt"), 0, "cannot read", null))
                .hasMessage("drop.txt: cannot read").satisfies(e -> assertThat(e.key()).isEmpty());
        RelayConfigException bare = new RelayConfigException(null, null, 0, "bad", new IOException("x"));
        assertThat(bare).hasMessage("bad").hasCauseInstanceOf(IOException.class);
        assertThat(bare.file()).isEmpty();
        assertThat(bare.line()).isZero();
    }

    @Test
    void constructorWhenLineNegativeOrDetailNullThenRefused() {
        assertThatThrownBy(() -> new RelayConfigException("k", null, -1, "bad", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
        assertThatThrownBy(() -> new RelayConfigException("k", null, 0, null, null))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void moduleDescriptorWhenReadThenExportsTheTwoApiPackagesAndRequiresOnlyJavaBase() throws IOException {
        try (InputStream in = RelayDecider.class.getResourceAsStream("/module-info.class")) {
            assertThat(in).as("module-info.class in relaycontrol-api").isNotNull();
            ModuleDescriptor d = ModuleDescriptor.read(in);
            assertThat(d.name()).isEqualTo("io.relaycontrol.api");
            assertThat(d.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()))
                    .isEqualTo(Set.of("io.relaycontrol.api", "io.relaycontrol.api.address"));
            assertThat(d.requires().stream().map(ModuleDescriptor.Requires::name).collect(Collectors.toSet()))
                    .isEqualTo(Set.of("java.base"));
        }
    }
}
