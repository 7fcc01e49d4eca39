package dev.cutover.it;

import dev.cutover.migration.Phase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The figures of one differential suite (corpus, generative, ORM): per distinct statement, how
 * often it ran and passed, in which phases Cutover rewrote it, left it unchanged or refused it (and
 * why), and every mismatch. Written as one section of {@code target/corpus-report.md}.
 *
 * <p>Thread-safe by synchronisation: statements are recorded from the test thread only, but the
 * report may be written from another.
 */
final class DifferentialReport {

  /** What the rewriter made of a statement at one phase (asked directly, next to the run). */
  enum Rewriting { REWRITTEN, UNCHANGED, REFUSED }

  private static final class Stats {
    final String source;
    final String category;
    final String sql;
    int runs;
    int passed;
    final Map<Phase, Rewriting> rewriting = new EnumMap<>(Phase.class);
    final Map<String, Integer> refusals = new TreeMap<>();
    final Map<Phase, String> rewrittenText = new EnumMap<>(Phase.class);
    String classifiedRefusal; // the rewriter's reason, asked directly, when it refused at some phase

    Stats(String source, String category, String sql) {
      this.source = source;
      this.category = category;
      this.sql = sql;
    }
  }

  private final String title;
  private final Map<String, Stats> statements = new LinkedHashMap<>();
  /** A mismatch; {@code sql} is null when it belongs to no single statement. */
  record Mismatch(String sql, String detail) {}

  private final List<Mismatch> mismatches = new ArrayList<>();
  private Set<String> known = Set.of();
  private Set<String> knownRefusals = Set.of();
  private final List<String> notes = new ArrayList<>();
  private final Map<String, List<String>> appendices = new LinkedHashMap<>();
  private int phaseChangesInTransactions;
  private int totalEntries;

  DifferentialReport(String title) {
    this.title = title;
  }

  private Stats stats(String source, String category, String sql) {
    return statements.computeIfAbsent(sql, s -> new Stats(source, category, sql));
  }

  /** Registers a statement (so it is counted even if it never ran). */
  synchronized void register(String source, String category, String sql) {
    stats(source, category, sql);
    totalEntries++;
  }

  synchronized void passed(String source, String category, String sql) {
    Stats s = stats(source, category, sql);
    s.runs++;
    s.passed++;
  }

  synchronized void refused(String source, String category, String sql, String reason) {
    Stats s = stats(source, category, sql);
    s.runs++;
    s.refusals.merge(reason, 1, Integer::sum);
  }

  synchronized void mismatch(String source, String category, String sql, String detail) {
    Stats s = stats(source, category, sql);
    s.runs++;
    mismatches.add(new Mismatch(sql, detail));
  }

  /** A mismatch that belongs to no single run (table contents, the two live columns). */
  synchronized void mismatch(String detail) {
    mismatches.add(new Mismatch(null, detail));
  }

  /** Statements with a known, written-up mismatch: reported apart, and expected to mismatch. */
  synchronized void knownMismatches(Set<String> sqls) {
    known = Set.copyOf(sqls);
  }

  /** The statements Cutover is known to refuse ({@code corpus/known-refusals.txt}). */
  synchronized void knownRefusals(Set<String> sqls) {
    knownRefusals = Set.copyOf(sqls);
  }

  private static boolean refused(Stats s) {
    return !s.refusals.isEmpty() || s.rewriting.containsValue(Rewriting.REFUSED);
  }

  /**
   * The refusal ratchet: what {@code known-refusals.txt} should gain and lose, as a message that
   * lists the exact lines, or {@code null} when it is up to date. New refusals are lines to add (a
   * comment line with the source and reason above each); listed statements that ran and were never
   * refused are lines to remove, and so are listed statements the corpus no longer holds when
   * {@code wholeCorpus}. The whole refused set is also written to {@code target/known-refusals.txt}
   * so that the file can be replaced in one go.
   */
  synchronized String refusalRatchet(boolean wholeCorpus) {
    return refusalRatchet(wholeCorpus, knownRefusals, "known-refusals.txt");
  }

  /**
   * As {@link #refusalRatchet(boolean)}, for the ratchet file {@code corpus/FILE} (new refusals
   * belong there); only the known refusals in {@code removable} (that file's) must still happen (a
   * suite that runs the corpus differently may refuse fewer of another file's). The refused set is
   * written to {@code target/FILE}.
   */
  synchronized String refusalRatchet(boolean wholeCorpus, Set<String> removable, String file) {
    List<String> add = new ArrayList<>();
    List<String> all = new ArrayList<>();
    for (Stats s : statements.values()) {
      if (!refused(s)) {
        continue;
      }
      String reason = !s.refusals.isEmpty() ? s.refusals.keySet().iterator().next() : refusalReason(s);
      String entry = "# " + s.source + ": " + oneLine(reason) + "\n" + Corpus.refusalLine(s.sql);
      all.add(entry);
      if (!knownRefusals.contains(s.sql)) {
        add.add(entry);
      }
    }
    List<String> remove = new ArrayList<>();
    for (String k : removable) {
      Stats s = statements.get(k);
      if (s == null ? wholeCorpus : s.runs > 0 && !refused(s)) {
        remove.add(Corpus.refusalLine(k));
      }
    }
    remove.sort(null);
    try {
      Files.createDirectories(Path.of("target"));
      Files.writeString(Path.of("target", file), "# Generated by the corpus test: every corpus"
          + " statement refused in at least one phase.\n" + String.join("\n", all) + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (add.isEmpty() && remove.isEmpty()) {
      return null;
    }
    StringBuilder msg = new StringBuilder("The refusal ratchet " + Corpus.RATCHET_DIR + file + " is out of date"
        + " (the whole refused set of this run is in control-cli/target/" + file + ").");
    if (!add.isEmpty()) {
      msg.append("\n\nNEW REFUSALS (").append(add.size()).append("): make them work, or add these lines to the file:\n\n")
          .append(String.join("\n", add));
    }
    if (!remove.isEmpty()) {
      msg.append("\n\nNO LONGER REFUSED (").append(remove.size()).append("): remove these lines from the file:\n\n")
          .append(String.join("\n", remove));
    }
    return msg.toString();
  }

  private static String refusalReason(Stats s) {
    return s.classifiedRefusal != null ? s.classifiedRefusal : "refused";
  }

  synchronized void rewriting(String sql, Phase phase, Rewriting what, String rewritten) {
    Stats s = statements.get(sql);
    if (s != null) {
      s.rewriting.put(phase, what);
      if (what == Rewriting.REWRITTEN) {
        s.rewrittenText.putIfAbsent(phase, rewritten);
      } else if (what == Rewriting.REFUSED && s.classifiedRefusal == null) {
        s.classifiedRefusal = rewritten;
      }
    }
  }

  synchronized void phaseChangeInTransaction() {
    phaseChangesInTransactions++;
  }

  synchronized void note(String text) {
    notes.add(text);
  }

  /** A list printed at the end of the section (e.g. the SQL an ORM generated). */
  synchronized void appendix(String heading, java.util.Collection<String> lines) {
    appendices.put(heading, List.copyOf(lines));
  }

  /** Mismatches other than the known ones. */
  synchronized List<String> mismatches() {
    return mismatches.stream().filter(m -> m.sql() == null || !known.contains(m.sql())).map(Mismatch::detail).toList();
  }

  /**
   * Known mismatches that ran, were never refused and never mismatched (fixed: take them off the
   * list). A statement refused somewhere proves nothing either way.
   */
  synchronized List<String> knownButMatched() {
    Set<String> seen = new java.util.HashSet<>();
    mismatches.forEach(m -> seen.add(m.sql()));
    return known.stream().filter(k -> statements.containsKey(k) && statements.get(k).runs > 0
        && statements.get(k).refusals.isEmpty() && !seen.contains(k)).sorted().toList();
  }

  synchronized int distinct() {
    return statements.size();
  }

  /** The refusals whose reason (grouped, see {@link #group}) starts with none of {@code expected}: source, reason and statement. */
  synchronized List<String> refusalsOtherThan(List<String> expected) {
    List<String> out = new ArrayList<>();
    for (Stats s : statements.values()) {
      for (String reason : s.refusals.keySet()) {
        if (expected.stream().noneMatch(group(reason)::startsWith)) {
          out.add(s.source + ": " + reason + "\n    " + s.sql);
        }
      }
    }
    return out;
  }

  /** Statements refused at some phase whose text names no migrating table: always a failure. */
  synchronized List<String> refusedWithoutMigratingTable() {
    List<String> bad = new ArrayList<>();
    for (Stats s : statements.values()) {
      if (!s.refusals.isEmpty() && !Corpus.namesTable(s.sql, "users")) {
        bad.add(s.source + ": " + s.sql);
      }
    }
    return bad;
  }

  /** This suite's section of the report, in Markdown. */
  synchronized String markdown() {
    StringBuilder md = new StringBuilder();
    int runs = 0;
    int passed = 0;
    int refusedRuns = 0;
    int rewritten = 0;
    int unchanged = 0;
    int refusedSomewhere = 0;
    Map<String, Set<Stats>> byReason = new TreeMap<>();
    Map<String, int[]> byCategory = new TreeMap<>();
    Map<Phase, int[]> byPhase = new EnumMap<>(Phase.class);
    for (Stats s : statements.values()) {
      runs += s.runs;
      passed += s.passed;
      refusedRuns += s.refusals.values().stream().mapToInt(Integer::intValue).sum();
      boolean anyRewritten = s.rewriting.containsValue(Rewriting.REWRITTEN);
      boolean anyRefused = s.rewriting.containsValue(Rewriting.REFUSED) || !s.refusals.isEmpty();
      if (anyRewritten) {
        rewritten++;
      } else if (!anyRefused) {
        unchanged++;
      }
      if (anyRefused) {
        refusedSomewhere++;
      }
      for (String reason : s.refusals.keySet()) {
        byReason.computeIfAbsent(group(reason), r -> new java.util.LinkedHashSet<>()).add(s);
      }
      int[] c = byCategory.computeIfAbsent(s.category, k -> new int[4]);
      c[0]++;
      c[1] += anyRewritten ? 1 : 0;
      c[2] += anyRefused ? 1 : 0;
      c[3] += (!anyRewritten && !anyRefused) ? 1 : 0;
      for (Map.Entry<Phase, Rewriting> e : s.rewriting.entrySet()) {
        byPhase.computeIfAbsent(e.getKey(), k -> new int[3])[e.getValue().ordinal()]++;
      }
    }
    md.append("## ").append(title).append("\n\n");
    md.append("| figure | value |\n|---|---|\n");
    md.append("| statements (entries) | ").append(totalEntries).append(" |\n");
    md.append("| distinct statements | ").append(statements.size()).append(" |\n");
    md.append("| of which name the migrating table | ")
        .append(statements.values().stream().filter(x -> Corpus.namesTable(x.sql, "users")).count()).append(" |\n");
    md.append("| runs (statement × phase × mode, incl. inside transactions across phase changes) | ")
        .append(runs).append(" |\n");
    md.append("| runs that matched the twin | ").append(passed).append(" |\n");
    md.append("| runs refused (0A000) | ").append(refusedRuns).append(" |\n");
    md.append("| phase changes crossed inside open transactions | ").append(phaseChangesInTransactions).append(" |\n");
    md.append("| rewritten (text changed in at least one phase) | ").append(rewritten).append(" |\n");
    md.append("| passed through unchanged in every phase | ").append(unchanged).append(" |\n");
    md.append("| refused in at least one phase | ").append(refusedSomewhere).append(" |\n");
    List<Mismatch> unknown = mismatches.stream().filter(m -> m.sql() == null || !known.contains(m.sql())).toList();
    List<Mismatch> knownSeen = mismatches.stream().filter(m -> m.sql() != null && known.contains(m.sql())).toList();
    md.append("| **mismatches** | **").append(unknown.size()).append("** |\n");
    md.append("| known mismatches (bugs written up, `corpus/known-mismatches.txt`) | ")
        .append(knownSeen.stream().map(Mismatch::sql).distinct().count()).append(" statements, ")
        .append(knownSeen.size()).append(" runs |\n\n");

    md.append("Per phase (what the rewriter makes of each distinct statement):\n\n");
    md.append("| phase | rewritten | unchanged | refused |\n|---|---|---|---|\n");
    for (Map.Entry<Phase, int[]> e : byPhase.entrySet()) {
      int[] c = e.getValue();
      md.append("| ").append(e.getKey().sqlName()).append(" | ").append(c[0]).append(" | ").append(c[1])
          .append(" | ").append(c[2]).append(" |\n");
    }
    md.append("\nPer category:\n\n| category | statements | rewritten | refused somewhere | unchanged |\n|---|---|---|---|---|\n");
    for (Map.Entry<String, int[]> e : byCategory.entrySet()) {
      int[] c = e.getValue();
      md.append("| ").append(e.getKey()).append(" | ").append(c[0]).append(" | ").append(c[1]).append(" | ")
          .append(c[2]).append(" | ").append(c[3]).append(" |\n");
    }
    if (!unknown.isEmpty()) {
      md.append("\n### Mismatches\n\n");
      for (Mismatch m : unknown) {
        md.append("- ").append(m.detail().replace("\n", " ")).append('\n');
      }
    }
    if (!knownSeen.isEmpty()) {
      md.append("\n### Known mismatches (real bugs, written up; first run of each statement)\n\n");
      Set<String> shown = new java.util.HashSet<>();
      for (Mismatch m : knownSeen) {
        if (shown.add(m.sql())) {
          md.append("- ").append(m.detail().replace("\n", " ")).append('\n');
        }
      }
    }
    md.append("\n### Refusals, by reason\n\n");
    if (byReason.isEmpty()) {
      md.append("None.\n");
    }
    for (Map.Entry<String, Set<Stats>> e : byReason.entrySet()) {
      md.append("- **").append(e.getKey()).append("** (").append(e.getValue().size()).append(" statements)\n");
      for (Stats s : e.getValue()) {
        md.append("  - `").append(s.source).append("` ").append(phasesRefused(s)).append(": `")
            .append(oneLine(s.sql)).append("`\n");
      }
    }
    if (!notes.isEmpty()) {
      md.append("\n### Notes\n\n");
      for (String n : notes) {
        md.append("- ").append(n).append('\n');
      }
    }
    for (Map.Entry<String, List<String>> a : appendices.entrySet()) {
      md.append("\n### ").append(a.getKey()).append("\n\n");
      for (String line : a.getValue()) {
        md.append("- `").append(oneLine(line)).append("`\n");
      }
    }
    return md.toString();
  }

  private static String phasesRefused(Stats s) {
    List<String> phases = new ArrayList<>();
    for (Map.Entry<Phase, Rewriting> e : s.rewriting.entrySet()) {
      if (e.getValue() == Rewriting.REFUSED) {
        phases.add(e.getKey().sqlName());
      }
    }
    return phases.isEmpty() ? "" : "(" + String.join(", ", phases) + ")";
  }

  /** The SQL on one line, backticks escaped for Markdown code spans, shortened. */
  static String oneLine(String sql) {
    String s = sql.replaceAll("\\s+", " ").replace("`", "'");
    return s.length() > 220 ? s.substring(0, 220) + "…" : s;
  }

  /**
   * The reason without its statement-specific parts, so that refusals group: quoted names and
   * parser messages are cut.
   */
  static String group(String reason) {
    String r = reason.replaceAll("'[^']*'", "'…'");
    int paren = r.indexOf(" (");
    if (r.startsWith("the SQL parser could not read") && paren > 0) {
      r = r.substring(0, paren) + " (parse error)";
    }
    int semicolon = r.indexOf(';');
    return (semicolon > 0 ? r.substring(0, semicolon) : r).strip();
  }

  /** Writes this section to {@code target/corpus-report/NAME.md} and rebuilds the whole report. */
  void write(String name) {
    try {
      Path dir = Path.of("target", "corpus-report");
      Files.createDirectories(dir);
      Files.writeString(dir.resolve(name + ".md"), markdown(), StandardCharsets.UTF_8);
      StringBuilder all = new StringBuilder("# Cutover differential report\n\n"
          + "Generated by the differential tests of `control-cli` (`RenameDifferentialTest`,"
          + " `GenerativeDifferentialTest`, `OrmDifferentialTest`): every statement runs through HikariCP + Cutover"
          + " on the migrating table `mig.users` (`full_name` renamed to `display_name`) and through HikariCP + plain"
          + " pgjdbc on the twin `twin.users` that never migrates, at every phase, forward and back, and inside"
          + " transactions held open across the phase changes.\n\n");
      try (Stream<Path> s = Files.list(dir)) {
        for (Path p : s.filter(x -> x.toString().endsWith(".md")).sorted().toList()) {
          all.append(Files.readString(p, StandardCharsets.UTF_8)).append('\n');
        }
      }
      Files.writeString(Path.of("target", "corpus-report.md"), all.toString(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String toString() {
    return title.toLowerCase(Locale.ROOT);
  }
}
