package dev.cutover.it;

import dev.cutover.rewriter.lex.Lexer;
import dev.cutover.rewriter.lex.SqlText;
import dev.cutover.rewriter.lex.Token;
import dev.cutover.rewriter.lex.TokenKind;
import dev.cutover.rewriter.lex.WordSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The statement corpus of the differential tests, read from {@code corpus/*.sql} on the test class
 * path (one file per area, in name order).
 *
 * <p>The format: entries are separated by blank lines; an entry is SQL lines (kept verbatim,
 * comments included, several statements in one entry allowed) plus directive lines that start with
 * {@code --@}:
 *
 * <ul>
 *   <li>{@code --@ category: NAME} sets the category of this and the following entries;
 *   <li>{@code --@ params: V, V, ...} the JDBC parameters: integers, decimals, {@code 'text'}
 *       ({@code ''} escapes a quote), {@code null}, {@code true}/{@code false}, {@code [1, 2]} (an
 *       {@code Integer[]}), {@code ['a', 'b']} (a {@code String[]}), {@code $new} (a fresh key, new
 *       at every run) and {@code $last} (the last fresh key, also inside a text);
 *   <li>{@code --@ mode: prepared} or {@code --@ mode: plain}: run only as a
 *       {@code PreparedStatement}, or only as a plain {@code Statement} (parameters inlined);
 *   <li>{@code --@ batch}: run twice with fresh parameters through {@code addBatch} and
 *       {@code executeBatch};
 *   <li>{@code --@ unordered}: compare the rows as multisets even though the text has an ORDER BY
 *       (a statement without ORDER BY is always compared that way).
 * </ul>
 */
final class Corpus {

  /** Where the corpus lives on the test class path. */
  static final String RESOURCE_DIR = "corpus";

  /** How an entry runs. */
  enum Mode { BOTH, PREPARED, PLAIN }

  /**
   * One corpus statement.
   *
   * @param source file and line, for messages
   * @param category the area it covers
   * @param sql the text, verbatim
   * @param params the parameter expressions, evaluated at every run
   * @param mode prepared, plain or both
   * @param batch run through addBatch/executeBatch
   * @param ordered whether the row order is part of the result
   */
  record Entry(String source, String category, String sql, List<String> params, Mode mode, boolean batch,
      boolean ordered) {

    /** The parameters for one run; {@code $new} takes fresh keys from {@code ids}. */
    Object[] bind(AtomicInteger ids) {
      Object[] values = new Object[params.size()];
      for (int i = 0; i < values.length; i++) {
        values[i] = value(params.get(i), ids);
      }
      return values;
    }

    /** Whether the statement names a migrating table ({@code users}), as a word outside literals. */
    boolean namesMigratingTable() {
      return namesTable(sql, "users");
    }

    /** Whether the statement may change data (so the tables are compared after it). */
    boolean mayWrite() {
      return Corpus.mayWrite(sql);
    }

    @Override
    public String toString() {
      return source + ": " + sql;
    }
  }

  private Corpus() {}

  /** Every entry of every corpus file. */
  static List<Entry> load() {
    List<Entry> entries = new ArrayList<>();
    for (Path file : files()) {
      entries.addAll(parse(file.getFileName().toString(), read(file)));
    }
    return entries;
  }

  private static List<Path> files() {
    try {
      Path dir = Path.of(Corpus.class.getClassLoader().getResource(RESOURCE_DIR).toURI());
      try (Stream<Path> s = Files.list(dir)) {
        // -Dcutover.corpus.only=NAME runs only the files whose name contains NAME (while working on them).
        String only = System.getProperty("cutover.corpus.only", "");
        return s.filter(p -> p.toString().endsWith(".sql") && p.getFileName().toString().contains(only)).sorted().toList();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Parses one corpus file (see the class comment for the format). */
  static List<Entry> parse(String name, String text) {
    List<Entry> entries = new ArrayList<>();
    String category = "uncategorised";
    String[] lines = text.split("\n", -1);
    int i = 0;
    while (i < lines.length) {
      if (lines[i].isBlank()) {
        i++;
        continue;
      }
      int firstSqlLine = -1;
      StringBuilder sql = new StringBuilder();
      List<String> params = List.of();
      Mode mode = Mode.BOTH;
      boolean batch = false;
      boolean unordered = false;
      for (; i < lines.length && !lines[i].isBlank(); i++) {
        String line = lines[i];
        if (line.startsWith("--@")) {
          String d = line.substring(3).strip();
          int colon = d.indexOf(':');
          String key = (colon < 0 ? d : d.substring(0, colon)).strip().toLowerCase(Locale.ROOT);
          String value = colon < 0 ? "" : d.substring(colon + 1).strip();
          switch (key) {
            case "category" -> category = value;
            case "params" -> params = splitTopLevel(value);
            case "mode" -> mode = Mode.valueOf(value.toUpperCase(Locale.ROOT));
            case "batch" -> batch = true;
            case "unordered" -> unordered = true;
            default -> throw new IllegalArgumentException(name + ":" + (i + 1) + ": unknown directive " + key);
          }
          continue;
        }
        if (firstSqlLine < 0) {
          firstSqlLine = i + 1;
        } else {
          sql.append('\n');
        }
        sql.append(line);
      }
      String s = sql.toString();
      if (firstSqlLine < 0 || s.lines().allMatch(l -> l.startsWith("--"))) {
        continue; // a block of directives only (a category header), or a comment about the file
      }
      boolean ordered = !unordered && s.toLowerCase(Locale.ROOT).contains("order by");
      Entry e = new Entry(name + ":" + firstSqlLine, category, s, params, mode, batch, ordered);
      int placeholders = placeholders(s);
      // A plain statement without parameters may use ? as the jsonb operator: pgjdbc leaves it alone.
      if (placeholders != params.size() && !(mode == Mode.PLAIN && params.isEmpty())) {
        throw new IllegalArgumentException(e.source() + ": " + placeholders + " placeholders but "
            + params.size() + " parameters");
      }
      entries.add(e);
    }
    return entries;
  }

  /** The number of JDBC placeholders, as the driver's lexer counts them. */
  static int placeholders(String sql) {
    int n = 0;
    for (Token t : Lexer.lex(sql)) {
      if (t.kind() == TokenKind.PLACEHOLDER) {
        n++;
      }
    }
    return n;
  }

  /**
   * Whether {@code sql} names {@code table}: as an identifier under any spelling (a Unicode-escaped
   * one included), or as a word inside a string, which the server may run as SQL (a DO block, a
   * function body, text for {@code query_to_xml}).
   */
  static boolean namesTable(String sql, String table) {
    SqlText text = new SqlText(sql);
    for (int i = 0; i < text.tokens().size(); i++) {
      Token t = text.tokens().get(i);
      String name = switch (t.kind()) {
        case IDENT, QUOTED_IDENT -> text.folded(i);
        case UNICODE_IDENT -> text.unicodeName(i);
        case STRING, PREFIXED_STRING, DOLLAR_STRING ->
            new WordSet(Set.of(table)).foundIn(t.text(sql)) ? table : null;
        default -> null;
      };
      if (table.equals(name)) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code sql} may change data (so the tables are compared after it). */
  static boolean mayWrite(String sql) {
    return hasWord(sql, Set.of("insert", "update", "delete", "setval", "nextval", "merge", "truncate"));
  }

  private static boolean hasWord(String sql, Set<String> words) {
    for (Token t : Lexer.lex(sql)) {
      if (t.kind() == TokenKind.IDENT && words.contains(t.text(sql).toLowerCase(Locale.ROOT))) {
        return true;
      }
    }
    return false;
  }

  /** The statement as the twin runs it: the schema {@code mig}, where named, becomes {@code twin}. */
  static String forTwin(String sql) {
    List<Token> tokens = Lexer.lex(sql);
    StringBuilder out = new StringBuilder();
    int at = 0;
    for (int i = 0; i + 1 < tokens.size(); i++) {
      Token t = tokens.get(i);
      boolean mig = t.kind() == TokenKind.IDENT && t.text(sql).equalsIgnoreCase("mig")
          || t.kind() == TokenKind.QUOTED_IDENT && t.text(sql).equals("\"mig\"");
      if (mig && tokens.get(i + 1).kind() == TokenKind.DOT) {
        out.append(sql, at, t.start()).append("twin");
        at = t.end();
      }
    }
    return out.append(sql, at, sql.length()).toString();
  }

  /**
   * The plain-statement form: every placeholder (as the lexer finds them: not {@code ??}, not
   * inside literals or comments) replaced by its value as a literal.
   */
  static String inline(String sql, Object[] params) {
    if (params.length == 0) {
      return sql;
    }
    StringBuilder out = new StringBuilder();
    int p = 0;
    int at = 0;
    for (Token t : Lexer.lex(sql)) {
      if (t.kind() == TokenKind.PLACEHOLDER) {
        out.append(sql, at, t.start()).append(literal(params[p++]));
        at = t.end();
      }
    }
    return out.append(sql, at, sql.length()).toString();
  }

  static String literal(Object v) {
    if (v == null) {
      return "NULL";
    }
    if (v instanceof Number || v instanceof Boolean) {
      return v.toString();
    }
    if (v instanceof Object[] array) {
      StringBuilder sb = new StringBuilder("'{");
      for (int i = 0; i < array.length; i++) {
        if (i > 0) {
          sb.append(',');
        }
        sb.append(array[i] instanceof String s ? "\"" + s.replace("'", "''").replace("\"", "\\\"") + "\"" : array[i]);
      }
      return sb.append("}'").toString();
    }
    return "'" + v.toString().replace("'", "''") + "'";
  }

  private static Object value(String expr, AtomicInteger ids) {
    String e = expr.strip();
    if (e.equals("$new")) {
      return ids.incrementAndGet();
    }
    if (e.equals("$last")) {
      return ids.get();
    }
    if (e.equalsIgnoreCase("null")) {
      return null;
    }
    if (e.equalsIgnoreCase("true") || e.equalsIgnoreCase("false")) {
      return Boolean.valueOf(e);
    }
    if (e.startsWith("'")) {
      return e.substring(1, e.length() - 1).replace("''", "'").replace("$last", String.valueOf(ids.get()));
    }
    if (e.startsWith("[")) {
      List<String> items = splitTopLevel(e.substring(1, e.length() - 1));
      if (!items.isEmpty() && items.get(0).strip().startsWith("'")) {
        return items.stream().map(x -> (String) value(x, ids)).toArray(String[]::new);
      }
      return items.stream().map(x -> Integer.valueOf(x.strip())).toArray(Integer[]::new);
    }
    if (e.contains(".")) {
      return new BigDecimal(e);
    }
    return Integer.valueOf(e);
  }

  /** Splits at commas outside quotes and brackets. */
  static List<String> splitTopLevel(String s) {
    List<String> parts = new ArrayList<>();
    if (s.isBlank()) {
      return parts;
    }
    int depth = 0;
    boolean quoted = false;
    int start = 0;
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch == '\'') {
        quoted = !quoted;
      } else if (!quoted && ch == '[') {
        depth++;
      } else if (!quoted && ch == ']') {
        depth--;
      } else if (!quoted && depth == 0 && ch == ',') {
        parts.add(s.substring(start, i).strip());
        start = i + 1;
      }
    }
    parts.add(s.substring(start).strip());
    return parts;
  }

  /**
   * The statements of {@code corpus/known-mismatches.txt}: real bugs, written up, that the corpus
   * test expects to mismatch (one statement per line; lines starting with {@code #} are comments).
   */
  static Set<String> knownMismatches() {
    try {
      Path file = Path.of(Corpus.class.getClassLoader().getResource(RESOURCE_DIR + "/known-mismatches.txt").toURI());
      Set<String> known = new HashSet<>();
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (!line.isBlank() && !line.startsWith("#")) {
          known.add(line);
        }
      }
      return known;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Where the ratchet files of known refusals live (see {@link #knownRefusals}). */
  static final String RATCHET_DIR = "control-cli/src/test/resources/" + RESOURCE_DIR + "/";

  /**
   * The statements of {@code corpus/known-refusals.txt}: the corpus statements Cutover refuses
   * (0A000) in at least one phase today. A refusal not listed fails the corpus test, and so does a
   * listed statement that is no longer refused (take it off): the list only shrinks on purpose. One
   * statement per line in {@link #refusalLine} form; lines starting with {@code #} are comments.
   */
  static Set<String> knownRefusals() {
    return knownRefusals("known-refusals.txt");
  }

  /** The statements of ratchet file {@code corpus/NAME} (see {@link #knownRefusals()}). */
  static Set<String> knownRefusals(String name) {
    try {
      Path file = Path.of(Corpus.class.getClassLoader().getResource(RESOURCE_DIR + "/" + name).toURI());
      Set<String> known = new HashSet<>();
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (!line.isBlank() && !line.startsWith("#")) {
          known.add(fromRefusalLine(line));
        }
      }
      return known;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A statement as one line of {@code known-refusals.txt}: a backslash doubled, a line break {@code \n}. */
  static String refusalLine(String sql) {
    return sql.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n");
  }

  /** The statement of one line of {@code known-refusals.txt} (the inverse of {@link #refusalLine}). */
  static String fromRefusalLine(String line) {
    StringBuilder out = new StringBuilder(line.length());
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\\' && i + 1 < line.length()) {
        char next = line.charAt(++i);
        out.append(next == 'n' ? '\n' : next == 'r' ? '\r' : next);
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** The texts that occur more than once (the corpus must be distinct statements). */
  static List<String> duplicates(List<Entry> entries) {
    Set<String> seen = new HashSet<>();
    List<String> dups = new ArrayList<>();
    for (Entry e : entries) {
      if (!seen.add(e.sql())) {
        dups.add(e.source() + ": " + e.sql());
      }
    }
    return dups;
  }
}
