package org.apache.calcite.sql.fun;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.calcite.sql.SqlFunction;
import org.apache.calcite.sql.SqlOperator;
import org.junit.jupiter.api.Test;

/**
 * {@link CutoverParserOperators}: each operator is the one Calcite defines (class, name, kind,
 * precedence, syntax, type strategies), and everyday statements parse without initialising {@link
 * SqlStdOperatorTable} (checked in a JVM of its own, as an application's would be).
 */
class CutoverParserOperatorsTest {

  /** Defined in SqlLibraryOperators rather than SqlStdOperatorTable. */
  private static final Set<String> LIBRARY = Set.of("INFIX_CAST", "ILIKE", "NOT_ILIKE");

  @Test
  void operators_matchCalcitesDefinitions() throws Exception {
    int compared = 0;
    for (Field field : CutoverParserOperators.class.getFields()) {
      if (!Modifier.isStatic(field.getModifiers()) || !SqlOperator.class.isAssignableFrom(field.getType())) {
        continue;
      }
      SqlOperator ours = (SqlOperator) field.get(null);
      Class<?> holder = LIBRARY.contains(field.getName()) ? SqlLibraryOperators.class : SqlStdOperatorTable.class;
      SqlOperator calcite = (SqlOperator) holder.getField(field.getName()).get(null);
      String what = field.getName();
      if (ours.getClass().isAnonymousClass()) {
        assertThat(calcite.getClass().isAnonymousClass()).as(what).isTrue();
        assertThat(ours.getClass().getSuperclass()).as(what).isEqualTo(calcite.getClass().getSuperclass());
      } else {
        assertThat(ours.getClass()).as(what).isEqualTo(calcite.getClass());
      }
      assertThat(ours.getName()).as(what).isEqualTo(calcite.getName());
      assertThat(ours.getKind()).as(what).isEqualTo(calcite.getKind());
      assertThat(ours.getLeftPrec()).as(what).isEqualTo(calcite.getLeftPrec());
      assertThat(ours.getRightPrec()).as(what).isEqualTo(calcite.getRightPrec());
      assertThat(ours.getSyntax()).as(what).isEqualTo(calcite.getSyntax());
      assertThat(ours.toString()).as(what).isEqualTo(calcite.toString());
      assertThat(ours.isAggregator()).as(what).isEqualTo(calcite.isAggregator());
      // Type strategies: the same constants, or (built by a constructor, or CONCAT's lambda) of the same class.
      assertThat(classOf(ours.getReturnTypeInference())).as(what).isEqualTo(classOf(calcite.getReturnTypeInference()));
      assertThat(classOf(ours.getOperandTypeInference())).as(what).isEqualTo(classOf(calcite.getOperandTypeInference()));
      assertThat(classOf(ours.getOperandTypeChecker())).as(what).isEqualTo(classOf(calcite.getOperandTypeChecker()));
      if (ours instanceof SqlFunction function) {
        assertThat(function.getFunctionType()).as(what).isEqualTo(((SqlFunction) calcite).getFunctionType());
      }
      if (ours instanceof SqlQuantifyOperator quantify) {
        assertThat(quantify.comparisonKind).as(what).isEqualTo(((SqlQuantifyOperator) calcite).comparisonKind);
      }
      compared++;
    }
    assertThat(compared).isGreaterThan(70);
  }

  private static Class<?> classOf(Object o) {
    return o == null ? null : o.getClass();
  }

  @Test
  void everydayStatements_parseWithoutInitialisingTheStandardTable() throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--add-opens", "java.base/java.lang=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
        EverydayStatements.class.getName()));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    assertThat(out).contains("SqlStdOperatorTable loaded: false").contains("SqlLibraryOperators loaded: false");
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
      var findLoadedClass = ClassLoader.class.getDeclaredMethod("findLoadedClass", String.class);
      findLoadedClass.setAccessible(true);
      for (String name : List.of("SqlStdOperatorTable", "SqlLibraryOperators")) {
        Object loaded = findLoadedClass.invoke(EverydayStatements.class.getClassLoader(),
            "org.apache.calcite.sql.fun." + name);
        System.out.println(name + " loaded: " + (loaded != null));
      }
    }
  }
}
