package dev.cutover.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small random grammar over the twin schema ({@code users} with {@code full_name} and its new
 * name {@code display_name}, {@code teams}): SELECTs with joins, subqueries (scalar, IN, EXISTS,
 * FROM), WHERE and ORDER BY over either name, window functions, {@code u.*}, labels named like
 * either name, GROUP BY with {@code string_agg(... ORDER BY ...)}, set operations, CTEs, DISTINCT
 * ON, LATERAL, self-joins, and INSERT (multi-row, INSERT ... SELECT, upserts that hit existing rows)
 * / UPDATE (DEFAULT, row assignments, ... FROM) / DELETE (... USING) / MERGE / a write in a CTE,
 * with parameters and RETURNING, each name chosen at random; one in two spelt another way
 * PostgreSQL reads the same (see {@link #spell}). Deterministic for a seed (and a version of this
 * class: a change of the grammar changes what a seed generates).
 */
final class StatementGrammar {

  /** A generated statement and its parameters. */
  record Generated(String sql, Object[] params, boolean ordered) {
    /** The statement as a corpus entry, ready to paste into {@code corpus/*.sql}. */
    String asCorpusEntry() {
      StringBuilder sb = new StringBuilder(sql);
      if (params.length > 0) {
        sb.append("\n--@ params: ");
        for (int i = 0; i < params.length; i++) {
          sb.append(i > 0 ? ", " : "").append(Corpus.literal(params[i]));
        }
      }
      return sb.toString();
    }
  }

  private static final String[] NAMES = {"full_name", "display_name"};
  private static final String[] WORDS = {"User 1%", "User 2%", "A%", "%e%", "%3", "Ada Lovelace", "Alan Turing",
      "User 12", "User 5", "Zoë ünicode", "O'Brien"};

  private final Random random;
  private final AtomicInteger ids;
  private List<Object> params;

  StatementGrammar(long seed, AtomicInteger ids) {
    this.random = new Random(seed);
    this.ids = ids;
  }

  Generated next() {
    params = new ArrayList<>();
    int kind = random.nextInt(100);
    String sql;
    boolean ordered = false;
    if (kind < 46) {
      String[] s = select();
      sql = s[0];
      ordered = s[1] != null;
    } else if (kind < 54) {
      sql = grouped();
      ordered = true;
    } else if (kind < 62) {
      String[] s = query();
      sql = s[0];
      ordered = s[1] != null;
    } else if (kind < 75) {
      sql = insert();
    } else if (kind < 87) {
      sql = update();
    } else if (kind < 92) {
      sql = delete();
    } else {
      sql = write();
    }
    return new Generated(spell(sql), params.toArray(), ordered);
  }

  private static final java.util.Set<String> NAMES_TO_RESPELL = java.util.Set.of(
      "users", "full_name", "display_name", "teams", "id", "team_id", "score", "lead_name", "name", "u", "t");

  /**
   * The same statement spelt another way PostgreSQL reads identically (one in two statements):
   * names and keywords upper-cased, names double-quoted, spaces dropped beside brackets, commas
   * and operators, comments between tokens, a statement before it in the same string, or a name
   * written as a Unicode-escaped identifier (which Cutover refuses on the migrating table).
   */
  private String spell(String sql) {
    int how = switch (random.nextInt(20)) {
      case 0, 1 -> 0; // upper case
      case 2, 3 -> 1; // quoted
      case 4, 5 -> 2; // no spaces
      case 6, 7 -> 3; // comments
      case 8 -> 4; // Unicode escapes (refused on the migrating table: rarer)
      case 9 -> 5; // multi-statement
      default -> -1;
    };
    if (how < 0) {
      return sql;
    }
    if (how == 5) {
      return (random.nextBoolean() ? "SELECT count(*) FROM teams; " : "SET LOCAL statement_timeout = 0;") + sql;
    }
    List<dev.cutover.rewriter.lex.Token> tokens = dev.cutover.rewriter.lex.Lexer.lex(sql);
    StringBuilder out = new StringBuilder();
    boolean unicodeDone = false;
    for (int i = 0; i < tokens.size(); i++) {
      dev.cutover.rewriter.lex.Token t = tokens.get(i);
      String text = t.text(sql);
      String lower = text.toLowerCase(java.util.Locale.ROOT);
      switch (t.kind()) {
        case IDENT -> {
          if (how == 0) {
            text = text.toUpperCase(java.util.Locale.ROOT);
          } else if (how == 1 && NAMES_TO_RESPELL.contains(lower) && random.nextBoolean()) {
            text = '"' + lower + '"';
          } else if (how == 4 && !unicodeDone && NAMES_TO_RESPELL.contains(lower) && random.nextInt(3) == 0) {
            text = unicodeEscaped(lower);
            unicodeDone = true;
          }
        }
        case WHITESPACE -> {
          if (how == 2 && (squeezable(tokens, i - 1) || squeezable(tokens, i + 1))) {
            text = "";
          } else if (how == 3 && random.nextInt(3) == 0) {
            text = random.nextBoolean() ? "/*c*/" : " -- c\n";
          }
        }
        default -> {}
      }
      out.append(text);
    }
    return out.toString();
  }

  /** Whether token {@code i} is punctuation or an operator that needs no space beside it. */
  private static boolean squeezable(List<dev.cutover.rewriter.lex.Token> tokens, int i) {
    if (i < 0 || i >= tokens.size()) {
      return false;
    }
    return switch (tokens.get(i).kind()) {
      case LPAREN, RPAREN, COMMA, OPERATOR -> true;
      default -> false;
    };
  }

  /** {@code U&"..."} spelling {@code name}, its first letter escaped (with {@code UESCAPE} half the time). */
  private String unicodeEscaped(String name) {
    String hex = String.format("%04X", (int) name.charAt(0));
    return random.nextBoolean()
        ? "U&\"\\" + hex + name.substring(1) + "\""
        : "U&\"!" + hex + name.substring(1) + "\" UESCAPE '!'";
  }

  private String name() {
    return NAMES[random.nextInt(2)];
  }

  private String param(Object value) {
    params.add(value);
    return "?";
  }

  /** [sql, non-null when it has a total ORDER BY]. */
  private String[] select() {
    boolean join = random.nextInt(3) == 0;
    boolean leftJoinOnName = join && random.nextBoolean();
    List<String> items = new ArrayList<>();
    items.add("u.id");
    int n = 1 + random.nextInt(3);
    for (int i = 0; i < n; i++) {
      String nm = name();
      switch (random.nextInt(7)) {
        case 0 -> items.add("u." + nm);
        case 1 -> items.add(nm);
        case 2 -> items.add("u." + nm + " AS n" + i);
        case 3 -> items.add("upper(u." + nm + ") AS up" + i);
        case 4 -> items.add("length(" + nm + ")");
        case 5 -> items.add("(SELECT max(v." + name() + ") FROM users v WHERE v.team_id = u.team_id) AS m" + i);
        default -> items.add(switch (random.nextInt(4)) {
          case 0 -> "row_number() OVER (PARTITION BY u.team_id ORDER BY u." + nm + " NULLS FIRST, u.id) AS r" + i;
          case 1 -> "u.*";
          // A label named like either name of the column (PostgreSQL's ORDER BY reads labels first).
          case 2 -> random.nextBoolean() ? "upper(u." + nm + ") AS " + name() : "to_jsonb(u) AS j" + i;
          default -> "coalesce(u." + nm + ", 'none') AS c" + i;
        });
      }
    }
    if (join) {
      items.add("t.name");
    }
    StringBuilder sb = new StringBuilder("SELECT ").append(String.join(", ", items)).append(" FROM users u");
    if (join) {
      sb.append(leftJoinOnName ? " LEFT JOIN teams t ON t.lead_name = u." + name() : " JOIN teams t ON t.id = u.team_id");
    }
    if (random.nextInt(4) != 0) {
      sb.append(" WHERE ").append(predicate("u.", 2));
    }
    boolean order = random.nextInt(3) != 0;
    if (order) {
      String nm = name();
      String key = switch (random.nextInt(3)) {
        case 0 -> "u." + nm;
        case 1 -> "lower(u." + nm + ")";
        default -> "u." + nm + " DESC";
      };
      sb.append(" ORDER BY ").append(key).append(" NULLS FIRST, u.id").append(join ? ", t.id" : "");
      if (random.nextBoolean()) {
        sb.append(" LIMIT ").append(param(1 + random.nextInt(8)));
      }
      // (Not beside a window function: PostgreSQL's 0A000 for it makes HikariCP drop the connection.)
      if (random.nextInt(8) == 0 && !sb.toString().contains(" OVER (")) {
        sb.append(" FOR UPDATE OF u");
      }
    }
    if (random.nextInt(6) == 0) {
      // The same query as a subquery in FROM, read through its labels.
      return new String[] {"SELECT x.* FROM (" + sb + ") x", null};
    }
    return new String[] {sb.toString(), order ? "" : null};
  }

  private String grouped() {
    String nm = name();
    String agg = switch (random.nextInt(3)) {
      case 0 -> "count(*)";
      case 1 -> "max(u." + name() + ")";
      default -> "string_agg(u." + name() + ", ',' ORDER BY u." + name() + " NULLS FIRST, u.id)";
    };
    String sql = "SELECT u." + nm + ", " + agg + " AS a FROM users u";
    if (random.nextBoolean()) {
      sql += " WHERE " + predicate("u.", 1);
    }
    boolean byPosition = random.nextInt(3) == 0;
    sql += byPosition ? " GROUP BY 1" : " GROUP BY u." + nm;
    if (random.nextBoolean()) {
      sql += " HAVING count(u." + name() + ") >= " + param(random.nextInt(2));
    }
    return sql + (byPosition ? " ORDER BY 1 NULLS FIRST" : " ORDER BY u." + nm + " NULLS FIRST");
  }

  private String predicate(String prefix, int depth) {
    if (depth > 0 && random.nextInt(4) == 0) {
      return "(" + predicate(prefix, depth - 1) + (random.nextBoolean() ? " AND " : " OR ") + predicate(prefix, depth - 1) + ")";
    }
    String nm = prefix + name();
    return switch (random.nextInt(10)) {
      case 0 -> nm + " = " + param(WORDS[random.nextInt(WORDS.length)]);
      case 1 -> nm + " LIKE " + param(WORDS[random.nextInt(WORDS.length)]);
      case 2 -> nm + " IS NULL";
      case 3 -> nm + " IS NOT NULL";
      case 4 -> prefix + "id < " + param(1 + random.nextInt(45));
      case 5 -> nm + " IN (SELECT lead_name FROM teams)";
      case 6 -> "EXISTS (SELECT 1 FROM teams t2 WHERE t2.lead_name = " + nm + ")";
      case 7 -> nm + " = (SELECT " + name() + " FROM users w WHERE w.id = " + param(1 + random.nextInt(40)) + ")";
      case 8 -> "lower(" + nm + ") > " + param("user " + random.nextInt(4));
      default -> prefix + "score > " + param(random.nextInt(5));
    };
  }

  /**
   * Queries of other shapes: set operations, CTEs (reading through the CTE's labels or its
   * {@code *}), DISTINCT ON, LATERAL, ORDER BY an output label, a self-join. [sql, non-null when
   * it has a total ORDER BY].
   */
  private String[] query() {
    switch (random.nextInt(9)) {
      case 0 -> {
        String op = new String[] {"UNION", "UNION ALL", "INTERSECT", "EXCEPT"}[random.nextInt(4)];
        return new String[] {"SELECT " + name() + " FROM users WHERE " + predicate("", 1) + " " + op + " SELECT "
            + name() + " FROM users WHERE " + predicate("", 1) + " ORDER BY 1 NULLS FIRST", ""};
      }
      case 1 -> {
        return new String[] {"SELECT * FROM users WHERE " + predicate("", 1) + (random.nextBoolean() ? " UNION " : " EXCEPT ")
            + "SELECT * FROM users WHERE " + predicate("", 1), null};
      }
      case 2 -> {
        String body = random.nextBoolean()
            ? "SELECT u.id, u." + name() + " AS v FROM users u WHERE " + predicate("u.", 1)
            : "SELECT * FROM users u WHERE " + predicate("u.", 1);
        String read = body.startsWith("SELECT *") ? name() : "v";
        return new String[] {"WITH c AS " + (random.nextBoolean() ? "MATERIALIZED " : "") + "(" + body + ") SELECT c.id, c."
            + read + ", (SELECT count(*) FROM c c2 WHERE c2." + read + " = c." + read + ") AS k FROM c ORDER BY c.id", ""};
      }
      case 3 -> {
        String nm = name();
        return new String[] {"SELECT DISTINCT ON (u.team_id) u.team_id, u.id, u." + name() + " FROM users u WHERE "
            + predicate("u.", 1) + " ORDER BY u.team_id NULLS FIRST, u." + nm + " NULLS FIRST, u.id", ""};
      }
      case 4 -> {
        return new String[] {"SELECT u.id, l.x FROM users u, LATERAL (SELECT upper(u." + name() + ") AS x UNION ALL"
            + " SELECT v." + name() + " FROM users v WHERE v.id = u.id + 1) l WHERE " + predicate("u.", 1), null};
      }
      case 5 -> {
        String label = random.nextBoolean() ? "lbl" : name();
        return new String[] {"SELECT u.id, lower(u." + name() + ") AS " + label + " FROM users u WHERE " + predicate("u.", 1)
            + " ORDER BY " + label + " NULLS FIRST, 1", ""};
      }
      case 6 -> {
        // A column alias list renames by position: the table's positions before the migration (the
        // old name is n here, the new one keeps its name).
        return new String[] {"SELECT x.i, x.n, x.display_name FROM users AS x(i, n) WHERE x.i < " + param(1 + random.nextInt(45))
            + " AND " + (random.nextBoolean() ? "x.n" : "x.display_name") + " IS NOT NULL ORDER BY x.i", ""};
      }
      case 7 -> {
        return new String[] {"SELECT * FROM users a JOIN users b USING (id) WHERE " + predicate("a.", 1)
            + " AND b." + name() + " IS NOT NULL ORDER BY id", ""};
      }
      default -> {
        return new String[] {"SELECT a.id, a." + name() + ", b." + name() + " FROM users a JOIN users b ON b."
            + name() + " = a." + name() + " AND b.id <> a.id WHERE " + predicate("a.", 1), null};
      }
    }
  }

  /** Writes of other shapes: UPDATE ... FROM, DELETE ... USING, MERGE, a write in a CTE. */
  private String write() {
    String nm = name();
    return switch (random.nextInt(5)) {
      case 0 -> "UPDATE users AS x SET " + nm + " = t.name || " + param("/") + " || x." + name() + " FROM teams t"
          + " WHERE t.id = x.team_id AND " + predicate("x.", 1) + (random.nextBoolean() ? " RETURNING x.id, x." + name() + ", t.name" : "");
      case 1 -> "DELETE FROM users USING teams t WHERE t.lead_name = users." + nm + " AND users.id >= " + param(1 + random.nextInt(3))
          + (random.nextBoolean() ? " RETURNING users.id, users." + name() : "");
      case 2 -> "MERGE INTO users u USING (VALUES (" + param(random.nextBoolean() ? 1 + random.nextInt(45) : ids.incrementAndGet())
          + ", " + param("Merge " + random.nextInt(100)) + ")) v(id, n) ON u.id = v.id"
          + " WHEN MATCHED AND u." + name() + " IS DISTINCT FROM v.n THEN UPDATE SET " + nm + " = v.n || u." + name()
          + " WHEN NOT MATCHED THEN INSERT (id, " + name() + ", score) VALUES (v.id, v.n, 1)";
      case 3 -> "MERGE INTO users u USING (SELECT id, " + name() + " AS s FROM users WHERE " + predicate("", 1) + ") w ON u.id = w.id"
          + " WHEN MATCHED AND w.s LIKE " + param(WORDS[random.nextInt(WORDS.length)]) + " THEN DELETE"
          + " WHEN MATCHED THEN UPDATE SET " + nm + " = upper(w.s)";
      default -> "WITH w AS (UPDATE users SET " + nm + " = " + name() + " || " + param("~") + " WHERE " + predicate("", 1)
          + " RETURNING id, " + name() + ") SELECT w.* FROM w";
    };
  }

  private String insert() {
    String nm = name();
    int shape = random.nextInt(6);
    if (shape == 0) {
      // INSERT ... SELECT under fresh keys, reading either name.
      int base = ids.getAndAdd(50);
      String sql = "INSERT INTO users (id, " + nm + ", score) SELECT id + " + param(base) + ", "
          + (random.nextBoolean() ? name() : "lower(" + name() + ")") + ", score FROM users WHERE " + predicate("", 1)
          + " AND id < 50";
      return random.nextBoolean() ? sql + " RETURNING id, " + name() : sql;
    }
    boolean conflict = random.nextBoolean();
    // One in three of the upserts hits an existing row, so that DO UPDATE runs.
    int id = conflict && random.nextInt(3) == 0 ? 1 + random.nextInt(45) : ids.incrementAndGet();
    String sql = "INSERT INTO users (id, " + nm + ", score) VALUES (" + param(id) + ", " + value() + ", "
        + param(random.nextInt(5)) + ")";
    if (shape == 1 && !conflict) {
      sql += ", (" + param(ids.incrementAndGet()) + ", " + value() + ", DEFAULT)";
    }
    if (conflict) {
      sql += switch (random.nextInt(4)) {
        case 0 -> " ON CONFLICT DO NOTHING";
        case 1 -> " ON CONFLICT (id) DO UPDATE SET " + name() + " = EXCLUDED." + name() + " || " + param("*")
            + " WHERE users." + name() + " IS DISTINCT FROM EXCLUDED." + name();
        default -> " ON CONFLICT (id) DO UPDATE SET " + name() + " = EXCLUDED." + name();
      };
    }
    if (random.nextBoolean()) {
      sql += returning();
    }
    return sql;
  }

  /** A RETURNING clause: the key and either name, or (one in four) {@code *}. */
  private String returning() {
    return random.nextInt(4) == 0 ? " RETURNING *" : " RETURNING id, " + name();
  }

  private String value() {
    return switch (random.nextInt(4)) {
      case 0 -> param("Gen " + random.nextInt(1000));
      case 1 -> "upper(" + param("gen " + random.nextInt(1000)) + ")";
      case 2 -> "NULL";
      default -> param("Gen") + " || ' ' || " + param(String.valueOf(random.nextInt(100)));
    };
  }

  private String update() {
    String target = name();
    int form = random.nextInt(8);
    String expr = form == 0 ? "DEFAULT" : switch (random.nextInt(5)) {
      case 0 -> param("Upd " + random.nextInt(1000));
      case 1 -> name() + " || " + param("+");
      case 2 -> "upper(" + name() + ")";
      case 3 -> "coalesce(" + name() + ", " + param("was null") + ")";
      default -> "(SELECT lead_name FROM teams WHERE id = " + param(1 + random.nextInt(4)) + ")";
    };
    String set = switch (form) {
      // (A subquery among a row's values is refused: not computed once for both columns yet.)
      case 1 -> expr.startsWith("(SELECT") ? target + " = " + expr : "(" + target + ", score) = (" + expr + ", score + 1)";
      default -> target + " = " + expr;
    };
    String sql = "UPDATE users SET " + set + " WHERE " + predicate("", 1);
    if (random.nextBoolean()) {
      sql += returning();
    }
    return sql;
  }

  private String delete() {
    String sql = random.nextBoolean()
        ? "DELETE FROM users WHERE id = " + param(ids.get() - random.nextInt(5))
        : "DELETE FROM users WHERE " + name() + " = " + param("Gen " + random.nextInt(1000)) + " AND id >= 1000";
    return random.nextBoolean() ? sql + returning() : sql;
  }
}
