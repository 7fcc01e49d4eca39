package dev.cutover.runtime;

import dev.cutover.migration.MigrationSnapshot;
import dev.cutover.rewriter.lex.WordSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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
 * It is a plain {@link ConcurrentHashMap} emptied when full, not a Caffeine cache: a hit is the
 * whole point, and Caffeine's bookkeeping on every read cost more than the lookup (pass-through
 * +65 ns over the bare driver instead of the no-migration path's +37 ns, JMH). Emptying keeps the
 * bound when an application sends endless distinct texts (literals inlined); the statements it
 * repeats are back in the memo at their next use. A text is remembered at its second sighting
 * only (a small table of recent hashes): texts built with constants are mostly seen once, and
 * putting each in the memo, then emptying it when full, cost more than scanning them (about a
 * quarter of the literal-SQL path on the stub driver). Thread-safe.
 */
public final class StatementFilter {

  /** Bit set when the text may name a migrating table of the snapshot. */
  public static final int MAY_TOUCH = 1;
  /** Bit set when the text may change {@code search_path}. */
  public static final int MAY_CHANGE_SEARCH_PATH = 2;

  private static final WordSet SEARCH_PATH_MARKERS =
      new WordSet(Set.of("search_path", "schema", "reset", "discard"));

  private final MigrationSnapshot snapshot;
  private final ConcurrentHashMap<String, Integer> memo;
  private final int size;
  /**
   * The hash of the last text scanned but not remembered, at each slot (by its hash). Racy by
   * design: a lost write only delays remembering a text, and a collision only makes it early.
   */
  private final int[] sightings;

  /**
   * @param snapshot the snapshot whose tables {@link #MAY_TOUCH} refers to
   * @param size the most texts remembered ({@code cutover.cacheSize}); 0 remembers none
   */
  public StatementFilter(MigrationSnapshot snapshot, long size) {
    this.snapshot = snapshot;
    this.size = (int) Math.min(Integer.MAX_VALUE, size);
    this.memo = size > 0 && !snapshot.isEmpty() ? new ConcurrentHashMap<>() : null;
    this.sightings = memo == null ? null : new int[Integer.highestOneBit((int) Math.max(64, Math.min(size, 8192)))];
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
    Integer known = memo.get(sql);
    if (known != null) {
      return known;
    }
    int bits = scan(sql, forSnapshot);
    if (!seenBefore(sql)) {
      return bits;
    }
    if (memo.size() >= size) {
      memo.clear();
    }
    memo.put(sql, bits);
    return bits;
  }

  /** Whether {@code sql} was scanned recently without being remembered; records it. */
  private boolean seenBefore(String sql) {
    int h = sql.hashCode(); // cached in the String: the memo lookup computed it
    int i = (h ^ (h >>> 16)) & (sightings.length - 1);
    if (sightings[i] == h) {
      return true;
    }
    sightings[i] = h;
    return false;
  }

  /** How many texts are remembered now (for tests). */
  int remembered() {
    return memo == null ? 0 : memo.size();
  }

  /** Whether {@code text} (a whole text or one statement of it) may change {@code search_path}. */
  public static boolean mayChangeSearchPath(String text) {
    return SEARCH_PATH_MARKERS.foundIn(text);
  }

  /** The bits of {@code sql} by scanning it (conservative: a false positive costs a parse or a re-read). */
  static int scan(String sql, MigrationSnapshot snapshot) {
    int bits = snapshot.mayTouch(sql) ? MAY_TOUCH : 0;
    return SEARCH_PATH_MARKERS.foundIn(sql) ? bits | MAY_CHANGE_SEARCH_PATH : bits;
  }
}
