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
import dev.cutover.rewriter.ReadTouch;
import dev.cutover.rewriter.RewriterBugException;
import dev.cutover.rewriter.lex.ConstantShape;
import dev.cutover.rewriter.lex.ConstantTemplate;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Objects;
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

  /**
   * The key of a {@link Shape}: a text's {@link ConstantShape#key()} and {@link
   * ConstantShape#equalities()} (never equal to a text's own key, a String).
   */
  private record ShapeKey(String key, String equalities) {}

  /**
   * The rewrite of one text of a constant shape, as a template, for one snapshot and {@code
   * search_path}; {@code origin} the constants of that text, {@code checked[i]} whether the rewrite
   * of another text of the shape with another constant {@code i} matched the template. A text is
   * served from the template only when each of its constants is checked or the same as the
   * origin's; a {@code poisoned} shape (a text whose rewrite differed from the template) serves none.
   * {@code identity}: the template gives each text of the shape back unchanged and there is no read
   * touch, so a text is its own rewrite's SQL (no copy is built).
   */
  private record Shape(MigrationSnapshot snapshot, String searchPath, String[] origin, boolean[] checked,
      ConstantTemplate sql, ConstantTemplate plainSql, Rewrite model, boolean poisoned, boolean identity) {

    /**
     * The shape of the text whose constants are {@code constants} and whose rewrite is {@code
     * rewrite}; its templates are made when a second text checks it (most shapes are seen once).
     */
    static Shape of(MigrationSnapshot snapshot, String searchPath, String[] constants, Rewrite rewrite) {
      return new Shape(snapshot, searchPath, constants, new boolean[constants.length], null, null, rewrite, false,
          false);
    }

    /** This shape with its templates; null when the rewrite cannot be made one. */
    private Shape withTemplates(String key) {
      if (sql != null) {
        return this;
      }
      ConstantTemplate text = ConstantTemplate.of(model.sql(), origin);
      ConstantTemplate plain = model.readTouch() == null ? null : ConstantTemplate.of(model.readTouch().plainSql(), origin);
      if (text == null || model.readTouch() != null && plain == null) {
        return null;
      }
      return new Shape(snapshot, searchPath, origin, checked, text, plain, model, false,
          model.readTouch() == null && text.isIdentityOf(key));
    }

    boolean serves(String[] constants) {
      if (poisoned || sql == null) {
        return false;
      }
      for (int i = 0; i < constants.length; i++) {
        if (!checked[i] && !constants[i].equals(origin[i])) {
          return false;
        }
      }
      return true;
    }

    /** The rewrite of {@code text}, whose constants are {@code constants}. */
    Rewrite fill(String text, String[] constants) {
      if (identity) {
        return new Rewrite(text, model.parameterMap(), model.oldNameUsed(), model.newNameUsed(), model.epoch(), null);
      }
      ReadTouch touch = model.readTouch();
      if (touch != null) {
        touch = new ReadTouch(touch.target(), plainSql.fill(constants), touch.plainParameterMap());
      }
      return new Rewrite(sql.fill(constants), model.parameterMap(), model.oldNameUsed(), model.newNameUsed(),
          model.epoch(), touch);
    }

    /**
     * This shape (of {@code key}) with the constants where {@code rewrite} (of {@code text}, whose
     * constants are {@code constants}) differs checked; null when the template is wrong for it.
     */
    Shape checkedBy(String key, String text, String[] constants, Rewrite rewrite) {
      Shape made = withTemplates(key);
      if (made == null || !same(made.fill(text, constants), rewrite)) {
        return null;
      }
      boolean[] now = checked.clone();
      boolean more = false;
      for (int i = 0; i < constants.length; i++) {
        if (!now[i] && !constants[i].equals(origin[i])) {
          now[i] = true;
          more = true;
        }
      }
      return more || made != this
          ? new Shape(snapshot, searchPath, origin, now, made.sql, made.plainSql, model, false, made.identity)
          : this;
    }

    Shape poison() {
      return new Shape(snapshot, searchPath, origin, checked, sql, plainSql, model, true, identity);
    }

    private static boolean same(Rewrite a, Rewrite b) {
      ReadTouch ta = a.readTouch();
      ReadTouch tb = b.readTouch();
      return a.sql().equals(b.sql()) && Arrays.equals(a.parameterMap(), b.parameterMap())
          && a.oldNameUsed().equals(b.oldNameUsed()) && a.newNameUsed().equals(b.newNameUsed())
          && a.epoch() == b.epoch()
          && (ta == null ? tb == null : tb != null && ta.target().equals(tb.target())
              && ta.plainSql().equals(tb.plainSql()) && Arrays.equals(ta.plainParameterMap(), tb.plainParameterMap()));
    }
  }

  private final RewriteFunction rewriter;
  private final boolean passthrough;
  // Keyed by the SQL text alone, so a hit allocates no key; the entry holds the search_path it was
  // made under (sessions almost always share one) and a different one recomputes and replaces it.
  // Texts (String keys, Entry values) and constant shapes (ShapeKey keys, Shape values) share one
  // bound. Caffeine's admission (W-TinyLFU) keeps the frequently used keys when more distinct texts
  // pass than fit: a text used once does not push out a shape used by every request.
  private final Cache<Object, Object> cache;
  private final boolean normalize;
  /**
   * The hash of the last text served from a template at each slot (by its hash): such a text goes
   * into the cache at its second sighting only. An application that builds its SQL with constants
   * sends a new text almost every time, and putting each in the cache cost more than serving it
   * (Caffeine's write and eviction: a quarter of the literal-SQL path), while pushing out nothing
   * but other such texts; a text sent again (a prepared statement with a constant in its text) is
   * seen again while its slot still holds it, and is then cached. Racy by design: a lost write only
   * delays a put, and a hash collision only makes one early.
   */
  private final int[] sightings;
  private final LongAdder passthroughCount = new LongAdder();
  private final Set<String> oldNamesUsed = ConcurrentHashMap.newKeySet();
  private final Set<String> newNamesUsed = ConcurrentHashMap.newKeySet();

  /**
   * @param rewriter the rewriter
   * @param passthrough {@code cutover.onUnsupported=passthrough}
   * @param cacheSize {@code cutover.cacheSize}
   */
  public RewriteEngine(RewriteFunction rewriter, boolean passthrough, long cacheSize) {
    this(rewriter, passthrough, cacheSize, true);
  }

  /**
   * @param rewriter the rewriter
   * @param passthrough {@code cutover.onUnsupported=passthrough}
   * @param cacheSize {@code cutover.cacheSize}
   * @param normalize whether texts differing in constants only share one rewrite ({@link ConstantShape})
   */
  public RewriteEngine(RewriteFunction rewriter, boolean passthrough, long cacheSize, boolean normalize) {
    this.normalize = normalize;
    this.rewriter = rewriter;
    this.passthrough = passthrough;
    // Maintenance on the calling thread: a handoff to the common pool cost more than the work.
    this.cache = Caffeine.newBuilder().maximumSize(cacheSize).executor(Runnable::run).build();
    this.sightings = new int[Integer.highestOneBit((int) Math.max(64, Math.min(cacheSize, 8192)))];
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
    Object cached = cache.getIfPresent(sql);
    Entry entry = cached instanceof Entry e && e.snapshot() == snapshot && Objects.equals(e.searchPath(), searchPath)
        ? e : null;
    if (entry != null) {
      Telemetry.CACHE_HITS.increment();
    } else {
      entry = fromShape(sql, snapshot, searchPath, catalog);
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

  /**
   * The entry of a text the cache does not hold: from the template of its constant shape when one
   * is trusted, else computed (and, when the text has constants, used to make or check its shape's
   * template); cached, a text served from a template at its second sighting only.
   */
  private Entry fromShape(String sql, MigrationSnapshot snapshot, String searchPath, Catalog catalog)
      throws SQLException {
    // Normalised in one pass without a token list: most literal texts are then served from their
    // shape's template; a miss (a parse follows, which costs far more) lets the rewriter lex again.
    ConstantShape shape = normalize ? ConstantShape.of(sql, snapshot::mayTouch) : null;
    if (shape == null) {
      Telemetry.CACHE_MISSES.increment();
      Entry entry = compute(sql, snapshot, searchPath, catalog);
      cache.put(sql, entry);
      return entry;
    }
    ShapeKey key = new ShapeKey(shape.key(), shape.equalities());
    Shape known = cache.getIfPresent(key) instanceof Shape s && s.snapshot() == snapshot
        && Objects.equals(s.searchPath(), searchPath) ? s : null;
    if (known != null && known.serves(shape.constants())) {
      Telemetry.CACHE_HITS.increment();
      Rewrite rewrite = known.fill(sql, shape.constants());
      if (REWRITE_LOG.isDebugEnabled() && !rewrite.sql().equals(sql)) {
        REWRITE_LOG.debug("Cutover rewrote a statement (epoch {}, search_path {}, from the rewrite of another text"
            + " differing in constants only):\n  sent by the application: {}\n  sent to PostgreSQL:      {}",
            snapshot.epoch(), searchPath, sql, rewrite.sql());
      }
      Entry entry = Entry.of(snapshot, searchPath, sql, rewrite);
      if (seenBefore(sql)) {
        cache.put(sql, entry);
      }
      return entry;
    }
    Telemetry.CACHE_MISSES.increment();
    Entry entry = compute(sql, snapshot, searchPath, catalog);
    cache.put(sql, entry);
    if (known == null) {
      if (entry.refusal() == null) {
        cache.put(key, Shape.of(snapshot, searchPath, shape.constants(), entry.rewrite()));
      }
    } else if (!known.poisoned()) {
      // Check the template against this text's own rewrite: a difference means the rewrite depends
      // on a constant's value, or a constant of the rewriter's own was taken for the application's.
      Shape checked = entry.refusal() == null
          ? known.checkedBy(shape.key(), sql, shape.constants(), entry.rewrite()) : null;
      if (checked == null) {
        cache.put(key, known.poison());
      } else if (checked != known) {
        cache.asMap().replace(key, known, checked); // never over a poisoned one another thread put
      }
    }
    return entry;
  }

  /** Whether {@code sql} was served from a template recently (see {@link #sightings}); records it. */
  private boolean seenBefore(String sql) {
    int h = sql.hashCode(); // cached in the String: the cache lookup computed it
    int i = (h ^ (h >>> 16)) & (sightings.length - 1);
    if (sightings[i] == h) {
      return true;
    }
    sightings[i] = h;
    return false;
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

  /** How many texts (not shapes) the cache holds now (for tests). */
  long cachedTexts() {
    return cache.asMap().keySet().stream().filter(String.class::isInstance).count();
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
