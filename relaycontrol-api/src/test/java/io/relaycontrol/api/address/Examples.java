package io.relaycontrol.api.address;

/**
 * How many examples a property test generates: the number it asks for, capped by the system property
 * {@code relaycontrol.pit.maxExamples} when set. The {@code pit} Maven profile sets it, because PIT runs a
 * property test once per mutant it covers; a plain build always runs the full number.
 */
final class Examples {

    private Examples() {
    }

    static int of(int wanted) {
        Integer cap = Integer.getInteger("relaycontrol.pit.maxExamples");
        return cap == null ? wanted : Math.min(wanted, cap);
    }
}
