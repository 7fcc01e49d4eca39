package dev.cutover.rewriter.parse;

import org.apache.calcite.sql.SqlBinaryOperator;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.type.InferTypes;
import org.apache.calcite.sql.type.OperandTypes;
import org.apache.calcite.sql.type.ReturnTypes;

/**
 * PostgreSQL binary operators that Calcite's operator tables lack, as the generated parser
 * ({@code PostgresParserImpl}) builds them: jsonb access ({@code ->}, {@code ->>}, {@code #>},
 * {@code #>>}), containment ({@code @>}, {@code <@}), overlap ({@code &&}), the pattern operators behind
 * {@code LIKE} and {@code ILIKE} ({@code ~~}, {@code ~~*}, {@code !~~}, {@code !~~*}) and key existence, which
 * a JDBC application writes {@code ??}, {@code ??|}, {@code ??&} (pgjdbc's escapes for {@code ?},
 * {@code ?|}, {@code ?&}).
 *
 * <p>Implementation notes: the rewriter never validates or unparses a tree, it only walks operands
 * and reads positions, so the type inference here is a placeholder. The precedence sits between
 * Calcite's comparisons/LIKE and {@code +}/{@code -}, as PostgreSQL ranks "any other operator".
 * Names are the operators as written in the JDBC text.
 */
public final class PostgresOperators {

  /** Below {@code +}/{@code -} (40), above {@code LIKE} (32) and comparisons (30). */
  private static final int PRECEDENCE = 36;

  /** {@code json -> key}. */
  public static final SqlBinaryOperator JSON_GET = op("->");
  /** {@code json ->> key}. */
  public static final SqlBinaryOperator JSON_GET_TEXT = op("->>");
  /** {@code json #> path}. */
  public static final SqlBinaryOperator PATH_GET = op("#>");
  /** {@code json #>> path}. */
  public static final SqlBinaryOperator PATH_GET_TEXT = op("#>>");
  /** {@code a @> b}. */
  public static final SqlBinaryOperator CONTAINS = op("@>");
  /** {@code a <@ b}. */
  public static final SqlBinaryOperator CONTAINED_BY = op("<@");
  /** {@code a && b}. */
  public static final SqlBinaryOperator OVERLAPS = op("&&");
  /** {@code jsonb ?? key} (PostgreSQL's {@code ?}). */
  public static final SqlBinaryOperator KEY_EXISTS = op("??");
  /** {@code jsonb ??| keys} (PostgreSQL's {@code ?|}). */
  public static final SqlBinaryOperator ANY_KEY_EXISTS = op("??|");
  /** {@code jsonb ??& keys} (PostgreSQL's {@code ?&}). */
  public static final SqlBinaryOperator ALL_KEYS_EXIST = op("??&");

  /** {@code tsvector @@ tsquery}. */
  public static final SqlBinaryOperator TEXT_MATCH = op("@@");
  /** {@code text ^@ prefix}. */
  public static final SqlBinaryOperator STARTS_WITH = op("^@");

  /** {@code text ~~ pattern}: the operator behind {@code LIKE}. */
  public static final SqlBinaryOperator LIKE = op("~~");
  /** {@code text ~~* pattern}: the operator behind {@code ILIKE}. */
  public static final SqlBinaryOperator ILIKE = op("~~*");
  /** {@code text !~~ pattern}: the operator behind {@code NOT LIKE}. */
  public static final SqlBinaryOperator NOT_LIKE = op("!~~");
  /** {@code text !~~* pattern}: the operator behind {@code NOT ILIKE}. */
  public static final SqlBinaryOperator NOT_ILIKE = op("!~~*");

  /**
   * {@code expr COLLATE name}: binds tighter than any arithmetic, as in PostgreSQL. Its second
   * operand is the collation's name as a character literal, never a column.
   */
  public static final SqlBinaryOperator COLLATE = new SqlBinaryOperator("COLLATE", SqlKind.OTHER, 76, true,
      ReturnTypes.ARG0_NULLABLE, InferTypes.FIRST_KNOWN, OperandTypes.ANY_ANY);

  /** {@code expr AT TIME ZONE zone}: below COLLATE, above {@code *} and {@code /}, as in PostgreSQL. */
  public static final SqlBinaryOperator AT_TIME_ZONE = new SqlBinaryOperator("AT TIME ZONE", SqlKind.OTHER, 74,
      true, ReturnTypes.ARG0_NULLABLE, InferTypes.FIRST_KNOWN, OperandTypes.ANY_ANY);

  private PostgresOperators() {}

  private static SqlBinaryOperator op(String name) {
    return new SqlBinaryOperator(name, SqlKind.OTHER, PRECEDENCE, true, ReturnTypes.ARG0_NULLABLE,
        InferTypes.FIRST_KNOWN, OperandTypes.ANY_ANY);
  }
}
