package dev.cutover.rewriter.plan;

import java.util.Locale;
import java.util.Set;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlFunction;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;

/**
 * Decides whether an expression may be written twice (once per physical column) and still give both
 * columns the same value: only if every function it calls is immutable or stable. Returns the
 * offending function's name, or {@code null} when duplication is safe.
 */
final class DuplicationCheck {

  private static final Set<String> SAFE_FUNCTIONS = Set.of(
      "lower", "upper", "trim", "btrim", "ltrim", "rtrim", "coalesce", "nullif", "concat", "concat_ws",
      "substr", "substring", "replace", "length", "char_length", "character_length", "octet_length", "now",
      "current_timestamp", "current_date", "current_time", "localtime", "localtimestamp",
      "transaction_timestamp", "statement_timestamp", "abs", "round", "trunc", "ceil", "ceiling", "floor",
      "greatest", "least", "left", "right", "lpad", "rpad", "initcap", "md5", "cast", "::", "position",
      "strpos", "split_part", "to_char", "to_date", "to_timestamp", "to_number", "date_trunc", "date_part",
      "extract", "mod", "power", "sqrt", "sign", "reverse", "repeat", "translate", "regexp_replace",
      "overlay", "jsonb_build_object", "json_build_object", "to_json", "to_jsonb", "array_length",
      "current_user", "session_user", "user", "format", "quote_ident", "quote_literal", "sha256",
      "encode", "decode", "convert_from", "convert_to", "age", "make_date", "make_timestamp",
      // JDBC escape functions ({fn ...}) that pgjdbc maps to immutable PostgreSQL functions
      "ucase", "lcase", "ascii", "chr", "locate");

  private DuplicationCheck() {}

  /** The first volatile (or unknown) function or construct in {@code node}, or {@code null}. */
  static String firstUnsafe(SqlNode node) {
    if (node instanceof SqlNodeList list) {
      for (SqlNode n : list) {
        String bad = firstUnsafe(n);
        if (bad != null) {
          return bad;
        }
      }
      return null;
    }
    if (!(node instanceof SqlCall call)) {
      return null;
    }
    if (call.getKind() == SqlKind.SELECT || call.getKind() == SqlKind.ORDER_BY
        || SqlKind.SET_QUERY.contains(call.getKind()) || call.getKind() == SqlKind.WITH) {
      return "a subquery";
    }
    if (call.getOperator() instanceof SqlFunction) {
      String name = call.getOperator().getName().toLowerCase(Locale.ROOT);
      if (!SAFE_FUNCTIONS.contains(name)) {
        return name + "()";
      }
    }
    for (SqlNode operand : call.getOperandList()) {
      String bad = firstUnsafe(operand);
      if (bad != null) {
        return bad;
      }
    }
    return null;
  }
}
