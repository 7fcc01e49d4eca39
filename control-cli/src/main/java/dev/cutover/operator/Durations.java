package dev.cutover.operator;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses durations the way operators write them: {@code 500ms}, {@code 30s}, {@code 10m}, {@code 1h}, {@code PT30S}. */
public final class Durations {

  private static final Pattern SIMPLE = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");

  private Durations() {}

  /**
   * Parses {@code text}; a bare number means seconds.
   *
   * @throws IllegalArgumentException with the accepted forms when {@code text} is none of them
   */
  public static Duration parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    Matcher m = SIMPLE.matcher(t);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      String unit = m.group(2) == null ? "s" : m.group(2);
      return switch (unit) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofHours(n);
      };
    }
    try {
      return Duration.parse(text.trim().toUpperCase(Locale.ROOT));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "invalid duration '" + text + "': expected e.g. 500ms, 30s, 10m, 1h or PT30S");
    }
  }

  /** Formats for messages, e.g. {@code 1.5s}. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms < 1000) {
      return ms + "ms";
    }
    if (ms % 1000 == 0) {
      return (ms / 1000) + "s";
    }
    return String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
  }
}
