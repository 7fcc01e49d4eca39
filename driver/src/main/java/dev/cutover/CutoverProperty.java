package dev.cutover;

import java.sql.DriverPropertyInfo;
import java.util.Locale;

/**
 * Every {@code cutover.*} connection property, in one place: its name, default and description
 * drive URL parsing, {@link CutoverDriver#getPropertyInfo} and the configuration reference
 * ({@code docs/configuration.md}, which a test compares with this enum). Each property may
 * be given as a URL query parameter or in the connection {@link java.util.Properties}; the URL wins,
 * as with pgjdbc. Cutover removes them before handing the URL and properties to pgjdbc.
 */
public enum CutoverProperty {
  /** Schema of the control tables. */
  SCHEMA("cutover.schema", "cutover", "Schema of the Cutover control tables", null),
  /**
   * Poll interval of the migrations, in milliseconds: the fallback when a NOTIFY is missed (phase
   * changes normally arrive through {@code LISTEN cutover} at once). The instance's heartbeat
   * follows this interval, bounded to between 1 and 5 seconds.
   */
  REFRESH_MILLIS("cutover.refreshMillis", "1000",
      "Interval in milliseconds at which the driver re-reads the migrations, the fallback when a NOTIFY is missed;"
          + " the heartbeat follows it, bounded to 1-5 s (positive integer)", null),
  /** What to do with a statement that touches a migrating column and cannot be rewritten safely. */
  ON_UNSUPPORTED("cutover.onUnsupported", "reject",
      "A statement that touches a migrating column and cannot be rewritten safely: reject (SQLException, SQLState 0A000,"
          + " the message names the migration and the reason) or passthrough (sent as written, logged, counted)",
      new String[] {"reject", "passthrough"}),
  /**
   * Entries of the rewritten-statement cache, and statement texts whose pre-check is remembered.
   * Sized for a working set of 50,000 distinct texts (generated SQL, tagged queries), each of which
   * may take two entries (its own and its constant shape's): a cache smaller than the texts an
   * application cycles through parses most of its statements again. It costs about 280 bytes of
   * heap per entry, and only for texts actually seen.
   */
  CACHE_SIZE("cutover.cacheSize", "131072",
      "Entries of the rewritten-statement cache; also the most statement texts whose pre-check (does it name a"
          + " migrating table?) is remembered while a migration exists (integer >= 0)", null),
  /**
   * Whether rows a SELECT returns are lazily migrated in the background. Off by default: it was not
   * shown to keep dual_write within 0.90 of plain pgjdbc's throughput (end-to-end benchmarks), its
   * fills lock rows for milliseconds (an application's NOWAIT can fail, SKIP LOCKED skips them) and
   * it holds a connection per instance, while the backfill fills every row anyway.
   */
  READ_TOUCH("cutover.readTouch", "false",
      "In dual_write, fill in the background the new column of the rows that a SELECT returns (lazy migration;"
          + " the backfill fills every row anyway)",
      new String[] {"true", "false"}),
  /**
   * The instance name reported in {@code cutover status}; defaults to {@code host:pid/hash}, the hash
   * of the connection's settings, so that each distinct configuration in one process (its own
   * runtime, heartbeat and acknowledgements) has a name of its own.
   */
  INSTANCE("cutover.instance", null,
      "The name this process reports in `cutover status` (default host:pid/hash: each distinct configuration"
          + " in one process is an instance of its own; a name set here must be unique among live processes"
          + " and configurations)", null),
  /**
   * How long a confirmation of the phase (a reload followed by a heartbeat) lets statements run
   * while a migration is unfinished; past it a statement waits briefly for a new one, then is
   * refused. Default: 5 s or three heartbeat intervals, whichever is longer; at least two.
   */
  LEASE_MILLIS("cutover.leaseMillis", null,
      "While a migration is unfinished, how long in milliseconds the last confirmation of the phase lets statements"
          + " run; then they wait briefly for a new one or fail with SQLState 08006. Keep it below the CLI's"
          + " --instance-ttl (default 5000 or three heartbeat intervals; at least two)", null),
  /**
   * How phase changes reach the driver besides polling: {@code auto} listens and first checks with a
   * notification of its own that notifications arrive (behind a pooler in transaction mode they do
   * not: it then logs once and polls), {@code listen} listens without that check, {@code poll} never
   * listens.
   */
  NOTIFICATIONS("cutover.notifications", "auto",
      "How phase changes reach the driver besides polling every cutover.refreshMillis: auto (LISTEN, after checking"
          + " that a notification of its own arrives; behind a pooler in transaction mode such as PgBouncer it does not,"
          + " and the driver logs it once and polls), listen (LISTEN without the check) or poll (no listener connection)",
      new String[] {"auto", "listen", "poll"});

  /** Prefix shared by every Cutover property; anything else goes to pgjdbc untouched. */
  public static final String PREFIX = "cutover.";

  private final String propertyName;
  private final String defaultValue;
  private final String description;
  private final String[] choices;

  CutoverProperty(String propertyName, String defaultValue, String description, String[] choices) {
    this.propertyName = propertyName;
    this.defaultValue = defaultValue;
    this.description = description;
    this.choices = choices;
  }

  /** The name as written in a URL or {@code Properties}, e.g. {@code cutover.schema}. */
  public String propertyName() {
    return propertyName;
  }

  /** The default value, or {@code null} when it is computed (see {@link #INSTANCE}, {@link #LEASE_MILLIS}). */
  public String defaultValue() {
    return defaultValue;
  }

  /** What the property means, for {@code getPropertyInfo} and the documentation. */
  public String description() {
    return description;
  }

  /** The allowed values, or {@code null} when any value of the right kind is allowed. */
  public String[] choices() {
    return choices == null ? null : choices.clone();
  }

  /** The property with this exact name, or {@code null}. */
  public static CutoverProperty forName(String name) {
    for (CutoverProperty p : values()) {
      if (p.propertyName.equals(name)) {
        return p;
      }
    }
    return null;
  }

  /**
   * Validates and normalises a value ({@code null} means "not given" and yields the default).
   *
   * @throws CutoverSQLException (08001) naming the property and the allowed values
   */
  public String validate(String raw) throws CutoverSQLException {
    if (raw == null) {
      return defaultValue;
    }
    String value = raw.trim();
    switch (this) {
      case SCHEMA, INSTANCE -> {
        if (value.isEmpty()) {
          throw invalid(raw, "a non-empty name");
        }
        return value;
      }
      case REFRESH_MILLIS -> {
        return String.valueOf(parseLong(raw, value, 1, "a positive integer (milliseconds)"));
      }
      case LEASE_MILLIS -> {
        return String.valueOf(parseLong(raw, value, 1, "a positive integer (milliseconds)"));
      }
      case CACHE_SIZE -> {
        return String.valueOf(parseLong(raw, value, 0, "an integer >= 0"));
      }
      default -> {
        String lower = value.toLowerCase(Locale.ROOT);
        for (String choice : choices) {
          if (choice.equals(lower)) {
            return choice;
          }
        }
        throw invalid(raw, "one of " + String.join(", ", choices));
      }
    }
  }

  /** This property's entry for {@link java.sql.Driver#getPropertyInfo}. */
  DriverPropertyInfo info(String currentValue) {
    DriverPropertyInfo info = new DriverPropertyInfo(propertyName, currentValue != null ? currentValue : defaultValue);
    info.description = description;
    info.required = false;
    info.choices = choices();
    return info;
  }

  private long parseLong(String raw, String value, long min, String expected) throws CutoverSQLException {
    long n;
    try {
      n = Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw invalid(raw, expected);
    }
    if (n < min || n > Integer.MAX_VALUE) {
      throw invalid(raw, expected);
    }
    return n;
  }

  private CutoverSQLException invalid(String raw, String expected) {
    return new CutoverSQLException(
        "Invalid value '" + raw + "' for Cutover property " + propertyName + ": expected " + expected,
        CutoverSqlState.CONNECTION_UNABLE_TO_CONNECT);
  }
}
