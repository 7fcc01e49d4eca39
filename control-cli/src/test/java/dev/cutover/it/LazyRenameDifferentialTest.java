package dev.cutover.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import dev.cutover.testing.TestDatabase;

/**
 * The differential test of the lazy cut-over of a rename over the whole {@link Corpus} (issue 4):
 * {@code users.full_name} becomes {@code display_name} and enters read_new with {@code --lazy}
 * while two rows in three have no new value yet; every corpus statement then runs through Cutover
 * and through plain pgjdbc on the never-migrated twin, at the lazily cut-over read_new and inside
 * transactions open across the lazy cut-over, its rollback, and its end at new_only
 * ({@link Differential#walkLazy}). Results, labels, update counts and table contents must be equal.
 */
class LazyRenameDifferentialTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @TempDir static Path dir;

  @Test
  void corpus_lazilyCutOverBeforeTheBackfill_matchesTwin() throws Exception {
    List<Corpus.Entry> entries = Corpus.load();
    DifferentialReport report = new DifferentialReport("Corpus at a lazy cut-over");
    for (Corpus.Entry e : entries) {
      report.register(e.source(), e.category(), e.sql());
    }
    report.knownMismatches(Corpus.knownMismatches());
    // The corpus refusals, and those of a lazy cut-over only (corpus/known-refusals-lazy.txt).
    java.util.Set<String> lazyOnly = Corpus.knownRefusals("known-refusals-lazy.txt");
    java.util.Set<String> refusals = new java.util.HashSet<>(Corpus.knownRefusals());
    refusals.addAll(lazyOnly);
    report.knownRefusals(refusals);
    try (Differential d = new Differential(db, dir, report, 1000, "lazy-corpus")) {
      d.walkLazy(new RenameDifferentialTest.CorpusWorkload(entries));
    } finally {
      report.write("9-lazy-corpus");
    }
    assertThat(report.refusedWithoutMigratingTable()).as("refused, though naming no migrating table").isEmpty();
    assertThat(report.mismatches()).as("mismatches (target/corpus-report/9-lazy-corpus.md)").isEmpty();
    assertThat(report.refusalRatchet(System.getProperty("cutover.corpus.only", "").isEmpty(), lazyOnly,
        "known-refusals-lazy.txt"))
        .as("refusal ratchet").isNull();
  }
}
