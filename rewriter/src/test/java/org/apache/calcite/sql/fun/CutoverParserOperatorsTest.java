package org.apache.calcite.sql.fun;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.calcite.sql.SqlDialect;
import org.apache.calcite.sql.SqlFunction;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlOperator;
import org.apache.calcite.sql.SqlSpecialOperator;
import org.apache.calcite.sql.SqlSyntax;
import org.apache.calcite.sql.dialect.AnsiSqlDialect;
import org.apache.calcite.sql.dialect.PostgresqlSqlDialect;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.junit.jupiter.api.Test;

/**
 * {@link CutoverParserOperators}: each operator is the one Calcite defines (class, name, kind,
 * precedence, syntax, how its calls are written), everyday statements parse without initialising
 * {@link SqlStdOperatorTable}, and those without the operators built on first use without loading
 * Calcite's type strategies (checked in a JVM of its own, as an application's would be).
 */
class CutoverParserOperatorsTest {

  /** Defined in SqlLibraryOperators rather than SqlStdOperatorTable. */
  private static final Set<String> LIBRARY = Set.of("INFIX_CAST", "ILIKE", "NOT_ILIKE");

  @Test
  void operators_matchCalcitesDefinitions() throws Exception {
    int compared = 0;
    List<Class<?>> holders = new ArrayList<>(List.of(CutoverParserOperators.class));
    holders.addAll(List.of(CutoverParserOperators.class.getClasses()));
    for (Class<?> ourHolder : holders) {
      for (Field field : ourHolder.getDeclaredFields()) {
        if (!Modifier.isStatic(field.getModifiers()) || !Modifier.isPublic(field.getModifiers())
            || !SqlOperator.class.isAssignableFrom(field.getType())) {
          continue;
        }
        SqlOperator ours = (SqlOperator) field.get(null);
        Class<?> holder = LIBRARY.contains(field.getName()) ? SqlLibraryOperators.class : SqlStdOperatorTable.class;
        SqlOperator calcite = (SqlOperator) holder.getField(field.getName()).get(null);
        String what = field.getName();
        if (what.equals("ROW")) {
          // Not Calcite's class (SqlRowOperator's constructor reads the type strategies): compared
          // by the text of a call below.
          assertThat(ours).as(what).isInstanceOf(SqlSpecialOperator.class);
        } else {
          assertThat(definingClass(ours)).as(what).isEqualTo(definingClass(calcite));
        }
        assertThat(ours.getName()).as(what).isEqualTo(calcite.getName());
        assertThat(ours.getKind()).as(what).isEqualTo(calcite.getKind());
        assertThat(ours.getLeftPrec()).as(what).isEqualTo(calcite.getLeftPrec());
        assertThat(ours.getRightPrec()).as(what).isEqualTo(calcite.getRightPrec());
        assertThat(ours.getSyntax()).as(what).isEqualTo(calcite.getSyntax());
        assertThat(ours.toString()).as(what).isEqualTo(calcite.toString());
        assertThat(ours.isAggregator()).as(what).isEqualTo(calcite.isAggregator());
        // Type strategies are not compared: those built in CutoverParserOperators itself have none,
        // so that they do not load Calcite's strategy constants; only validation reads them, and
        // Cutover never validates. What the parser and the rewriter read is compared: the above, and
        // how a call of each operator (these built with their own constructor) is written back.
        if (ourHolder == CutoverParserOperators.class && (ours.getSyntax() != SqlSyntax.SPECIAL || what.equals("ROW"))) {
          List<SqlNode> operands = ours.getSyntax() == SqlSyntax.BINARY || what.equals("ROW")
              ? List.of(new SqlIdentifier("a", SqlParserPos.ZERO), new SqlIdentifier("b", SqlParserPos.ZERO))
              : List.of(new SqlIdentifier("a", SqlParserPos.ZERO));
          for (SqlDialect dialect : List.of(AnsiSqlDialect.DEFAULT, PostgresqlSqlDialect.DEFAULT)) {
            assertThat(ours.createCall(SqlParserPos.ZERO, operands).toSqlString(dialect).getSql()).as(what)
                .isEqualTo(calcite.createCall(SqlParserPos.ZERO, operands).toSqlString(dialect).getSql());
          }
        }
        if (ours instanceof SqlFunction function) {
          assertThat(function.getFunctionType()).as(what).isEqualTo(((SqlFunction) calcite).getFunctionType());
        }
        if (ours instanceof SqlQuantifyOperator quantify) {
          assertThat(quantify.comparisonKind).as(what).isEqualTo(((SqlQuantifyOperator) calcite).comparisonKind);
        }
        compared++;
      }
    }
    assertThat(compared).isGreaterThan(70);
  }

  /** The operator's class, or for an anonymous subclass (ours or Calcite's), the class it extends. */
  private static Class<?> definingClass(SqlOperator op) {
    return op.getClass().isAnonymousClass() ? op.getClass().getSuperclass() : op.getClass();
  }

  @Test
  void everydayStatements_parseWithoutInitialisingTheStandardTable() throws Exception {
    String out = runAlone(EverydayStatements.class);
    assertThat(out).contains("SqlStdOperatorTable loaded: false").contains("SqlLibraryOperators loaded: false");
  }

  @Test
  void plainStatements_parseWithoutLoadingTheTypeStrategies() throws Exception {
    String out = runAlone(PlainStatements.class);
    for (String name : TYPE_STRATEGIES) {
      assertThat(out).contains(name + " loaded: false");
    }
    // Each family of operators whose Calcite constructors read them loads them on first use only.
    assertThat(out).contains("IN loaded: ReturnTypes true");
  }

  /** Calcite's holders of type strategies, whose initialisers load some 140 classes. */
  private static final List<String> TYPE_STRATEGIES = List.of("org.apache.calcite.sql.type.ReturnTypes",
      "org.apache.calcite.sql.type.OperandTypes", "org.apache.calcite.sql.type.InferTypes",
      "org.apache.calcite.sql.type.SqlTypeTransforms", "org.apache.calcite.sql.fun.SqlStdOperatorTable",
      "org.apache.calcite.sql.fun.SqlLibraryOperators");

  /** Runs {@code main} in a JVM of its own, as an application's would be, and returns its output. */
  private static String runAlone(Class<?> main) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--add-opens", "java.base/java.lang=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
        main.getName()));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    return out;
  }

  private static boolean loaded(String className) throws Exception {
    var findLoadedClass = ClassLoader.class.getDeclaredMethod("findLoadedClass", String.class);
    findLoadedClass.setAccessible(true);
    return findLoadedClass.invoke(CutoverParserOperatorsTest.class.getClassLoader(), className) != null;
  }

  /**
   * Parses statements that use none of the operators built on first use (those in the nested
   * classes of {@link CutoverParserOperators}) and no subquery in an expression (whose {@code
   * SqlSelectOperator}, Calcite's, reads {@code ReturnTypes}), then says whether the type
   * strategies were loaded; then parses an {@code IN} (whose operator, Calcite's class, does).
   */
  static final class PlainStatements {
    public static void main(String[] args) throws Exception {
      for (String sql : List.of(
          "SELECT id, email, full_name FROM fp_users WHERE id = ?",
          "SELECT u.id AS uid, u.email FROM fp_users AS u WHERE u.id = ? AND u.email IS NOT NULL ORDER BY u.id DESC",
          "UPDATE fp_users SET full_name = ?, visits = visits + 1 WHERE id = ? AND NOT (email <> ? OR full_name IS NULL)",
          "DELETE FROM fp_users WHERE id >= ? AND id <= ? AND id * 2 - 1 > id / 3 % 5",
          "INSERT INTO fp_users (email, full_name) VALUES (?, ?), ('a', 'b')",
          "INSERT INTO fp_users (email, full_name) SELECT email, full_name || 'x' FROM old_users WHERE id < 10",
          "INSERT INTO t (a) SELECT b FROM u WHERE c = ?",
          "SELECT count(*), max(a) FROM t t1 JOIN u ON t1.id = u.id LEFT JOIN v ON v.x = u.y"
              + " WHERE b IS TRUE GROUP BY b HAVING count(*) > 1 ORDER BY 1 NULLS LAST LIMIT 10",
          "WITH c AS (SELECT a FROM t) SELECT * FROM c UNION ALL SELECT a FROM u EXCEPT SELECT b FROM v",
          "SELECT coalesce(a, b) FROM t WHERE a IS DISTINCT FROM b")) {
        dev.cutover.rewriter.parse.CalciteParser.parse(sql);
      }
      for (String name : TYPE_STRATEGIES) {
        System.out.println(name + " loaded: " + loaded(name));
      }
      dev.cutover.rewriter.parse.CalciteParser.parse("SELECT a FROM t WHERE a IN (1, 2)");
      System.out.println("IN loaded: ReturnTypes " + loaded("org.apache.calcite.sql.type.ReturnTypes"));
    }
  }

  /** Parses everyday statements, then says whether Calcite's operator tables were loaded. */
  static final class EverydayStatements {
    public static void main(String[] args) throws Exception {
      for (String sql : List.of(
          "SELECT id, email, full_name FROM fp_users WHERE id = ?",
          "UPDATE fp_users SET full_name = ? WHERE id = ?",
          "INSERT INTO fp_users (email, full_name) VALUES (?, ?)",
          "SELECT u.id FROM fp_users u WHERE u.id BETWEEN ? AND ? ORDER BY u.id DESC NULLS LAST",
          "SELECT a FROM t WHERE b IS NULL AND NOT c OR d IS NOT NULL AND e IS NOT TRUE",
          "SELECT a FROM t WHERE b LIKE ? AND c ILIKE 'x%' AND d NOT LIKE 'y' ESCAPE '!' AND e ~ 'x' AND f !~* 'y'",
          "SELECT CAST(a AS int), b::text, a || b FROM t WHERE a IN (1, 2) AND b NOT IN (SELECT x FROM y)",
          "SELECT count(*), max(a) FROM t GROUP BY b HAVING count(*) > 1 ORDER BY 1 DESC LIMIT 10 OFFSET 5",
          "SELECT a FROM t t1 JOIN u ON t1.id = u.id LEFT JOIN v ON v.x = u.y WHERE EXISTS (SELECT 1 FROM w)",
          "SELECT CASE WHEN a > 0 THEN 'p' ELSE 'n' END FROM t",
          "WITH c AS (SELECT a FROM t) SELECT * FROM c UNION ALL SELECT a FROM u EXCEPT SELECT b FROM v",
          "DELETE FROM t WHERE a = ? AND b <> ? AND c >= 3 AND d <= 4 AND e < 5 AND f > 6",
          "SELECT a + b * c - d / e % f FROM t WHERE a IS DISTINCT FROM b",
          "SELECT row_number() OVER (PARTITION BY a ORDER BY b), count(*) FILTER (WHERE a > 1) FROM t",
          "SELECT extract(year FROM a), substring(b FROM 1 FOR 2), trim(c), position('a' IN b) FROM t",
          "SELECT a FROM t WHERE b = ANY (?) AND c <> ALL (SELECT 1)",
          "SELECT coalesce(a, b), a[1], ARRAY[1, 2] FROM t WHERE j -> 'k' = ? AND j @> ?")) {
        dev.cutover.rewriter.parse.CalciteParser.parse(sql);
      }
      for (String name : List.of("SqlStdOperatorTable", "SqlLibraryOperators")) {
        System.out.println(name + " loaded: " + loaded("org.apache.calcite.sql.fun." + name));
      }
    }
  }
}
