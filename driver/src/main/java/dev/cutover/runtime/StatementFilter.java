package dev.cutover.runtime;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.cutover.migration.MigrationSnapshot;
import dev.cutover.rewriter.lex.WordSet;
import java.util.Set;

/**
 * The hot path's first look at a statement while some migration exists: could its text name a
 * migrating table, and could it change the session's {@code search_path}? Both answers come from
 * word scans of the text ({@link WordSet}), remembered per text for one snapshot, so a statement
 * the application sends again costs one cache lookup, not two passes over its characters.
 *
 * <p>Implementation notes: the memo is keyed by the SQL string itself; an application's prepared
 * statements are usually the same {@code String} instances, whose hash is cached and whose {@code
 * equals} is an identity check, so a hit neither hashes nor compares characters. The answers are
 * {@link Integer} values from the JDK's small-integer cache: a hit allocates nothing. The memo
 * belongs to one snapshot (its table words); the runtime makes a new filter with every snapshot.
 * Thread-safe.
 */
public final class StatementFilter {

  /** Bit set when the text may name a migrating table of the snapshot. */
  public static final int MAY_TOUCH = 1;
  /** Bit set when the text may change {@code search_path}. */
  public static final int MAY_CHANGE_SEARCH_PATH = 2;

  private static final WordSet SEARCH_PATH_MARKERS =
      new WordSet(Set.of("search_path", "schema", "reset", "discard"));

  private final MigrationSnapshot snapshot;
  private final Cache<String, Integer> memo;

  /**
   * @param snapshot the snapshot whose tables {@link #MAY_TOUCH} refers to
   * @param size the most texts remembered ({@code cutover.cacheSize}); 0 remembers none
   */
  public StatementFilter(MigrationSnapshot snapshot, long size) {
    this.snapshot = snapshot;
    this.memo = size > 0 && !snapshot.isEmpty() ? Caffeine.newBuilder().maximumSize(size).executor(Runnable::run).build() : null;
  }

  /** The snapshot this filter answers for. */
  public MigrationSnapshot snapshot() {
    return snapshot;
  }

  /**
   * The {@link #MAY_TOUCH} and {@link #MAY_CHANGE_SEARCH_PATH} bits of {@code sql} for {@code
   * snapshot}; remembered when {@code snapshot} is this filter's own.
   */
  public int classify(String sql, MigrationSnapshot forSnapshot) {
    if (forSnapshot != snapshot || memo == null) {
      return scan(sql, forSnapshot);
    }
    Integer known = memo.getIfPresent(sql);
    if (known != null) {
      return known;
    }
    int bits = scan(sql, forSnapshot);
    memo.put(sql, bits);
    return bits;
  }

  /** The bits of {@code sql} by scanning it (conservative: a false positive costs a parse or a re-read). */
  static int scan(String sql, MigrationSnapshot snapshot) {
    int bits = snapshot.mayTouch(sql) ? MAY_TOUCH : 0;
    return SEARCH_PATH_MARKERS.foundIn(sql) ? bits | MAY_CHANGE_SEARCH_PATH : bits;
  }
}
