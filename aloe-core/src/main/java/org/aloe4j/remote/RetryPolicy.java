package org.aloe4j.remote;

import java.time.Duration;

/**
 * When and how long to wait before calling a server again: on HTTP 429 and 5xx and on connection failures, up to
 * {@code maxRetries} more attempts, waiting {@code initialBackoff * 2^attempt} (at most {@code maxBackoff}), or the
 * server's {@code Retry-After} seconds when it sends them (also capped by {@code maxBackoff}).
 */
public record RetryPolicy(int maxRetries, Duration initialBackoff, Duration maxBackoff) {

    public RetryPolicy {
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must be >= 0: " + maxRetries);
        }
        if (initialBackoff.isNegative() || maxBackoff.isNegative()) {
            throw new IllegalArgumentException("backoff must not be negative");
        }
    }

    public static RetryPolicy defaults() {
        return new RetryPolicy(5, Duration.ofMillis(500), Duration.ofSeconds(30));
    }

    public static RetryPolicy none() {
        return new RetryPolicy(0, Duration.ZERO, Duration.ZERO);
    }

    /** True for the statuses worth another try: 429 (rate limited) and every 5xx. */
    public static boolean retryableStatus(int status) {
        return status == 429 || (status >= 500 && status <= 599);
    }

    /** The wait before retry number {@code retry} (0-based), honouring a Retry-After header when present. */
    public Duration backoff(int retry, String retryAfterHeader) {
        if (retryAfterHeader != null) {
            try {
                long seconds = Long.parseLong(retryAfterHeader.trim());
                if (seconds >= 0) {
                    return min(Duration.ofSeconds(seconds), maxBackoff);
                }
            } catch (NumberFormatException ignored) {
                // an HTTP-date Retry-After: fall back to exponential backoff
            }
        }
        long factor = 1L << Math.min(retry, 30);
        Duration wait = initialBackoff.multipliedBy(factor);
        return min(wait, maxBackoff);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
