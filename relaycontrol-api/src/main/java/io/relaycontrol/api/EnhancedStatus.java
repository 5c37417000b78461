package io.relaycontrol.api;

/**
 * An RFC 3463 enhanced mail system status code, {@code class.subject.detail}, such as {@code 5.7.1}.
 *
 * <p>The class is 2 (success), 4 (persistent transient failure) or 5 (permanent failure); subject and
 * detail are 0 to 999 (RFC 3463 allows up to three digits each). Instances are immutable and thread-safe.
 *
 * @param statusClass 2, 4 or 5
 * @param subject 0 to 999
 * @param detail 0 to 999
 * @since 0.1.0
 */
public record EnhancedStatus(int statusClass, int subject, int detail) {

    /**
     * Validates the parts.
     *
     * @param statusClass 2, 4 or 5
     * @param subject 0 to 999
     * @param detail 0 to 999
     * @throws IllegalArgumentException if the class is not 2, 4 or 5, or subject or detail is out of range
     */
    public EnhancedStatus {
        if (statusClass != 2 && statusClass != 4 && statusClass != 5) {
            throw new IllegalArgumentException("enhanced status class must be 2, 4 or 5, was " + statusClass);
        }
        if (subject < 0 || subject > 999) {
            throw new IllegalArgumentException("enhanced status subject must be 0..999, was " + subject);
        }
        if (detail < 0 || detail > 999) {
            throw new IllegalArgumentException("enhanced status detail must be 0..999, was " + detail);
        }
    }

    /**
     * Parses {@code "5.7.1"}.
     *
     * @param text the code, three dot-separated numbers without leading zeros (except a lone 0)
     * @return the status
     * @throws NullPointerException if {@code text} is null
     * @throws IllegalArgumentException if {@code text} is not an enhanced status code
     */
    public static EnhancedStatus parse(String text) {
        if (text == null) {
            throw new NullPointerException("enhanced status text is null");
        }
        String[] parts = text.split("\\.", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("not an enhanced status code (class.subject.detail): '" + text + "'");
        }
        int[] values = new int[3];
        for (int i = 0; i < 3; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0')) {
                throw new IllegalArgumentException("not an enhanced status code (class.subject.detail): '" + text + "'");
            }
            for (int j = 0; j < p.length(); j++) {
                char c = p.charAt(j);
                if (c < '0' || c > '9') {
                    throw new IllegalArgumentException("not an enhanced status code (class.subject.detail): '" + text + "'");
                }
            }
            values[i] = Integer.parseInt(p);
        }
        return new EnhancedStatus(values[0], values[1], values[2]);
    }

    /** @return {@code class.subject.detail} */
    @Override
    public String toString() {
        return statusClass + "." + subject + "." + detail;
    }
}
