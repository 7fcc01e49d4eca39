package dev.cutover.runtime;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.cutover.CutoverSQLException;
import dev.cutover.CutoverSqlState;
import dev.cutover.CutoverStatistics.RefusalKind;
import dev.cutover.migration.MigrationSnapshot;
import dev.cutover.rewriter.Catalog;
import dev.cutover.rewriter.Rewrite;
import dev.cutover.rewriter.RewriteRefusedException;
import dev.cutover.rewriter.RewriterBugException;
import java.sql.SQLException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The slow path of a statement: the rewritten-statement cache in front of the rewriter, the
 * {@code cutover.onUnsupported} policy, and the record of which names were used.
 *
 * <p>Implementation notes: an entry is valid only for the snapshot object it was made for (a
 * snapshot is replaced, never mutated, when the migrations change), so a phase change can never
 * serve a stale rewrite even before {@link #invalidateAll()} runs. A refusal is cached like a
 * rewrite, so a refused statement is parsed once per snapshot, and refused (or passed through and
 * counted) at every use. Every call counts its outcome and whether the cache answered ({@link
 * Telemetry}, striped counters); only this slow path counts. Thread-safe.
 */
public final class RewriteEngine {

  private static final Logger LOG = LoggerFactory.getLogger(RewriteEngine.class);
  /**
   * Each distinct rewrite at DEBUG, once, when it is computed: what the application sent and what
   * PostgreSQL receives; refusals with their reason. Unchanged statements at TRACE.
   */
  private static final Logger REWRITE_LOG = LoggerFactory.getLogger("dev.cutover.rewrite");
  private static final int MAX_SQL_IN_MESSAGE = 500;

  /**
   * A cached outcome: the rewrite, or the refusal (with {@code rewrite} the pass-through), for one
   * snapshot and one {@code search_path}; {@code plain} is the rewrite without its read touch, and
   * the flags say whether each sends another text than the application's (for the counters).
   */
  private record Entry(MigrationSnapshot snapshot, String searchPath, Rewrite rewrite, Rewrite plain,
      RewriteRefusedException refusal, boolean changed, boolean plainChanged) {

    static Entry of(MigrationSnapshot snapshot, String searchPath, String sql, Rewrite rewrite) {
      Rewrite plain = rewrite.withoutReadTouch();
      return new Entry(snapshot, searchPath, rewrite, plain, null, !rewrite.sql().equals(sql), !plain.sql().equals(sql));
    }
  }

  private final RewriteFunction rewriter;
  private final boolean passthrough;
  // Keyed by the SQL text alone, so a hit allocates no key; the entry holds the search_path it was
  // made under (sessions almost always share one) and a different one recomputes and replaces it.
  private final Cache<String, Entry> cache;
  private final LongAdder passthroughCount = new LongAdder();
  private final Set<String> oldNamesUsed = ConcurrentHashMap.newKeySet();
  private final Set<String> newNamesUsed = ConcurrentHashMap.newKeySet();

  /**
   * @param rewriter the rewriter
   * @param passthrough {@code cutover.onUnsupported=passthrough}
   * @param cacheSize {@code cutover.cacheSize}
   */
  public RewriteEngine(RewriteFunction rewriter, boolean passthrough, long cacheSize) {
    this.rewriter = rewriter;
    this.passthrough = passthrough;
    // Maintenance on the calling thread: a handoff to the common pool cost more than the work.
    this.cache = Caffeine.newBuilder().maximumSize(cacheSize).executor(Runnable::run).build();
  }

  /** {@link #rewrite(String, MigrationSnapshot, String, Catalog, boolean)} keeping the read touch. */
  public Rewrite rewrite(String sql, MigrationSnapshot snapshot, String searchPath, Catalog catalog)
      throws SQLException {
    return rewrite(sql, snapshot, searchPath, catalog, true);
  }

  /**
   * Rewrites {@code sql} for {@code snapshot}, from the cache when possible.
   *
   * @param searchPath the session's {@code search_path}, on which name resolution depends
   * @param catalog the session's catalog, consulted only on a cache miss
   * @param keepTouch whether a SELECT may keep the read touch's hidden columns (see {@link
   *     dev.cutover.rewriter.ReadTouch}); without, the rewrite comes without them
   * @throws SQLException {@code 0A000} naming the migration and the reason when the rewriter refuses
   *     and {@code cutover.onUnsupported=reject}; {@code XX000} when the rewriter failed (a bug); or
   *     a catalog query's error
   */
  public Rewrite rewrite(String sql, MigrationSnapshot snapshot, String searchPath, Catalog catalog,
      boolean keepTouch) throws SQLException {
    Entry entry = cache.getIfPresent(sql);
    if (entry == null || entry.snapshot() != snapshot || !java.util.Objects.equals(entry.searchPath(), searchPath)) {
      Telemetry.CACHE_MISSES.increment();
      entry = compute(sql, snapshot, searchPath, catalog);
      cache.put(sql, entry);
    } else {
      Telemetry.CACHE_HITS.increment();
    }
    if (entry.refusal() != null) {
      if (!passthrough) {
        Telemetry.refused(RefusalKind.UNSUPPORTED_STATEMENT);
        throw refused(entry.refusal(), sql);
      }
      passthroughCount.increment();
      Telemetry.PASSED_THROUGH.increment();
      return entry.rewrite();
    }
    Rewrite rewrite = keepTouch ? entry.rewrite() : entry.plain();
    ((keepTouch ? entry.changed() : entry.plainChanged()) ? Telemetry.REWRITTEN : Telemetry.UNCHANGED).increment();
    if (!rewrite.oldNameUsed().isEmpty()) {
      oldNamesUsed.addAll(rewrite.oldNameUsed());
    }
    if (!rewrite.newNameUsed().isEmpty()) {
      newNamesUsed.addAll(rewrite.newNameUsed());
    }
    return rewrite;
  }

  private Entry compute(String sql, MigrationSnapshot snapshot, String searchPath, Catalog catalog)
      throws SQLException {
    try {
      Rewrite rewrite = rewriter.rewrite(sql, snapshot, catalog);
      boolean changed = !rewrite.sql().equals(sql);
      if (changed && REWRITE_LOG.isDebugEnabled()) {
        REWRITE_LOG.debug("Cutover rewrote a statement (epoch {}, search_path {}):\n  sent by the application: {}"
            + "\n  sent to PostgreSQL:      {}", snapshot.epoch(), searchPath, sql, rewrite.sql());
      } else if (!changed && REWRITE_LOG.isTraceEnabled()) {
        REWRITE_LOG.trace("Cutover sends a statement unchanged (epoch {}): {}", snapshot.epoch(), sql);
      }
      return Entry.of(snapshot, searchPath, sql, rewrite);
    } catch (RewriteRefusedException e) {
      if (passthrough) {
        LOG.warn("{} Sending it unchanged because cutover.onUnsupported=passthrough. Statement: {}",
            e.getMessage(), abbreviate(sql));
      }
      if (REWRITE_LOG.isDebugEnabled()) {
        REWRITE_LOG.debug("Cutover {} a statement (epoch {}, search_path {}): {}\n  sent by the application: {}",
            passthrough ? "passes through (cutover.onUnsupported=passthrough)" : "refuses", snapshot.epoch(),
            searchPath, e.getMessage(), sql);
      }
      Rewrite unchanged = Rewrite.unchanged(sql, snapshot.epoch());
      return new Entry(snapshot, searchPath, unchanged, unchanged, e, false, false);
    } catch (CatalogQueryException e) {
      throw e.getCause();
    } catch (RewriterBugException e) {
      // Not cached, and never sent unchanged (not even under passthrough): a bug fails closed.
      Telemetry.refused(RefusalKind.REWRITER_BUG);
      LOG.error("{}", e.getMessage(), e);
      throw new CutoverSQLException(e.getMessage(), CutoverSqlState.INTERNAL_ERROR, e);
    }
  }

  private static SQLException refused(RewriteRefusedException e, String sql) {
    return new CutoverSQLException(
        e.getMessage() + ". Statement: " + abbreviate(sql)
            + " (Write the statement in a form Cutover can rewrite, or set cutover.onUnsupported=passthrough"
            + " to send such statements unchanged.)",
        CutoverSqlState.FEATURE_NOT_SUPPORTED, e);
  }

  private static String abbreviate(String sql) {
    return sql.length() <= MAX_SQL_IN_MESSAGE ? sql : sql.substring(0, MAX_SQL_IN_MESSAGE) + "...";
  }

  /**
   * Records a use of migration {@code id}'s old (or new) name that no statement text shows: a
   * result-set column looked up by that label (a {@code SELECT *} read through the old name).
   */
  public void recordNameUse(String id, boolean oldName) {
    (oldName ? oldNamesUsed : newNamesUsed).add(id);
  }

  /** Forgets every cached rewrite (the snapshot changed). */
  public void invalidateAll() {
    cache.invalidateAll();
  }

  /** Statements sent unchanged under {@code cutover.onUnsupported=passthrough} so far. */
  public long passthroughCount() {
    return passthroughCount.sum();
  }

  /** The migration ids whose old and new names statements used since the last drain. */
  record NameUsage(Set<String> oldUsed, Set<String> newUsed) {
    boolean isEmpty() {
      return oldUsed.isEmpty() && newUsed.isEmpty();
    }
  }

  /** The names used since the last call, removed from the record. */
  NameUsage drainNameUsage() {
    return new NameUsage(drain(oldNamesUsed), drain(newNamesUsed));
  }

  /** Puts back names whose report failed, so the next heartbeat reports them. */
  void restoreNameUsage(NameUsage usage) {
    oldNamesUsed.addAll(usage.oldUsed());
    newNamesUsed.addAll(usage.newUsed());
  }

  private static Set<String> drain(Set<String> names) {
    Set<String> drained = new java.util.HashSet<>();
    for (var it = names.iterator(); it.hasNext(); ) {
      drained.add(it.next());
      it.remove();
    }
    return drained;
  }
}
