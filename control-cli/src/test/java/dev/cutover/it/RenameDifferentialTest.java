package dev.cutover.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.migration.Phase;
import dev.cutover.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The differential test of a rename over the whole {@link Corpus} (issues 2 and 3): every corpus
 * statement runs through HikariCP and Cutover on the migrating table and through HikariCP and plain
 * pgjdbc on the twin that never migrates ({@link Differential}), at every phase and across every
 * phase change forward and back, as prepared and as plain statements, and inside a transaction held
 * open across the phase changes (prepared before the change, executed before and after it); see
 * {@link CorpusWorkload} for which statement runs where. Results,
 * labels, update counts and the table contents must be equal each time, and while both columns are
 * live no row may hold different values in them. Refusals are counted and listed in
 * {@code target/corpus-report.md}; mismatches fail the test, and so does a refusal that is not in
 * {@code corpus/known-refusals.txt} or a listed one that no longer happens (the message lists the
 * exact lines to add or remove).
 */
class RenameDifferentialTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @TempDir static Path dir;

  @Test
  void corpus_everyPhaseForwardBackAndAcrossChangesInTransactions_matchesTwin() throws Exception {
    List<Corpus.Entry> entries = Corpus.load();
    assertThat(Corpus.duplicates(entries)).as("corpus statements must be distinct").isEmpty();
    DifferentialReport report = new DifferentialReport("Corpus (`control-cli/src/test/resources/corpus/*.sql`)");
    for (Corpus.Entry e : entries) {
      report.register(e.source(), e.category(), e.sql());
    }
    report.knownMismatches(Corpus.knownMismatches());
    report.knownRefusals(Corpus.knownRefusals());
    try (Differential d = new Differential(db, dir, report, 1000, "corpus")) {
      d.walk(new CorpusWorkload(entries));
      try (Connection c = db.plainConnection(); Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT column_name FROM information_schema.columns"
              + " WHERE table_schema = 'mig' AND table_name = 'users' ORDER BY ordinal_position")) {
        List<String> columns = new ArrayList<>();
        while (rs.next()) {
          columns.add(rs.getString(1));
        }
        assertThat(columns).containsExactly("id", "email", "score", "team_id", "tags", "profile", "created_at",
            "contact", "display_name");
      }
    } finally {
      report.write("1-corpus");
    }
    if (System.getProperty("cutover.corpus.only", "").isEmpty()) {
      assertThat(report.distinct()).as("distinct corpus statements").isGreaterThanOrEqualTo(400);
    }
    assertThat(report.refusedWithoutMigratingTable()).as("refused, though naming no migrating table").isEmpty();
    assertThat(report.mismatches()).as("mismatches (target/corpus-report.md)").isEmpty();
    assertThat(report.knownButMatched()).as("known mismatches that now match: take them off"
        + " corpus/known-mismatches.txt").isEmpty();
    String ratchet = report.refusalRatchet(System.getProperty("cutover.corpus.only", "").isEmpty());
    assertThat(ratchet).as("refusal ratchet").isNull();
  }

  /** The corpus at each phase (prepared and plain), and prepared across each change. */
  /** Runs {@code cutover ARGS} against {@code database}'s database and expects exit code 0 (used by other tests). */
  static void cli(TestDatabase database, String... args) {
    Differential.cli(database, args);
  }

  /** Runs {@code cutover ARGS} against {@code database}'s database and returns the exit code. */
  static int cliCode(TestDatabase database, String... args) {
    return Differential.cliCode(database, args);
  }

  /**
   * The corpus at each phase and across each change. By default (to keep the suite's time
   * reasonable on two cores) every statement runs prepared at the first visit of every phase; as a
   * plain statement at two of the five phases (rotating); prepared at one in three of the repeated
   * visits (rotating); and inside the transactions open across two or three of the ten phase
   * changes, at least one forward and one back ({@link #SLICES}). {@code -Dcutover.corpus.full=true} runs every
   * statement in both modes at every visit and across every change.
   */
  static final class CorpusWorkload implements Differential.Workload {
    private static final boolean FULL = Boolean.getBoolean("cutover.corpus.full");
    /**
     * Which fifths of the corpus (entry index mod 5) cross each of the walk's ten changes, in order:
     * to dual_write, read_new, new_only, back to read_new, dual_write, planned, forward to dual_write,
     * read_new, new_only, completed. Every fifth crosses a forward change and a rollback.
     */
    private static final List<Set<Integer>> SLICES = List.of(
        Set.of(0), Set.of(1), Set.of(2), Set.of(1, 3), Set.of(2, 4), Set.of(0), Set.of(3), Set.of(4), Set.of(3),
        Set.of(4));
    private final List<Corpus.Entry> entries;
    private final Set<Phase> visited = EnumSet.noneOf(Phase.class);
    private final Map<Corpus.Entry, PreparedStatement[]> open = new LinkedHashMap<>();
    private int visits;
    private int change;

    CorpusWorkload(List<Corpus.Entry> entries) {
      this.entries = entries;
    }

    @Override
    public void atPhase(Differential d, Phase phase, String where) throws Exception {
      d.classify(entries.stream().map(Corpus.Entry::sql).toList(), phase);
      boolean first = visited.add(phase);
      int visit = visits++;
      try (Connection c = d.cutover.getConnection(); Connection t = d.plain.getConnection()) {
        Differential.Session s = new Differential.Session(c, t, false, where);
        for (int i = 0; i < entries.size(); i++) {
          Corpus.Entry e = entries.get(i);
          boolean prepared = e.mode() != Corpus.Mode.PLAIN
              && (FULL || first || (i + visit) % 3 == 0);
          boolean plain = e.mode() != Corpus.Mode.PREPARED
              && (FULL || (first && ((i + phase.ordinal()) % 5 < 2 || e.mode() == Corpus.Mode.PLAIN)));
          if (prepared) {
            d.run(Differential.Case.of(e), s, params(e, d), true, null);
          }
          if (plain) {
            d.run(Differential.Case.of(e), s, params(e, d), false, null);
          }
        }
      }
    }

    @Override
    public void beforeChange(Differential d, Differential.Session s, boolean ddlFirst) throws Exception {
      Set<Integer> slices = SLICES.get(change++ % SLICES.size());
      for (int i = 0; i < entries.size(); i++) {
        Corpus.Entry e = entries.get(i);
        if (e.mode() == Corpus.Mode.PLAIN || (!FULL && !slices.contains(i % 5))) {
          continue;
        }
        Differential.Case k = Differential.Case.of(e);
        PreparedStatement[] pair = d.prepare(k, s);
        open.put(e, pair);
        if (pair != null && (!ddlFirst || !e.namesMigratingTable())) {
          d.run(k, s, params(e, d), true, pair);
        }
      }
    }

    @Override
    public void afterChange(Differential d, Differential.Session s) throws Exception {
      for (Map.Entry<Corpus.Entry, PreparedStatement[]> o : open.entrySet()) {
        Differential.Case k = Differential.Case.of(o.getKey());
        PreparedStatement[] pair = o.getValue() != null ? o.getValue() : d.prepare(k, s);
        if (pair != null) {
          d.run(k, s, params(o.getKey(), d), true, pair);
          pair[0].close();
          pair[1].close();
        }
      }
      open.clear();
    }

    private static Object[][] params(Corpus.Entry e, Differential d) {
      return e.batch() ? new Object[][] {e.bind(d.ids), e.bind(d.ids)} : new Object[][] {e.bind(d.ids)};
    }
  }
}
