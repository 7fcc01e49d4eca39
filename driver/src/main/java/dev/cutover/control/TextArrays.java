package dev.cutover.control;

import java.sql.SQLException;
import java.util.Collection;
import org.postgresql.util.PGobject;

/**
 * A {@code text[]} parameter without pgjdbc's array support: the value {@code createArrayOf("text",
 * ...)} would send, in the array's text form, typed {@code text[]} all the same.
 *
 * <p>Why: the first {@code createArrayOf} loads pgjdbc's array encoders and decoders (some 45
 * classes) into the application's JVM, for the handful of statements of the driver's own that bind
 * a list of names or keys.
 */
public final class TextArrays {

  private TextArrays() {}

  /** {@code values} (null elements allowed) as a {@code text[]} parameter, for {@code setObject}. */
  public static PGobject of(Collection<String> values) throws SQLException {
    return of(values.toArray(new String[0]));
  }

  /** {@code values} (null elements allowed) as a {@code text[]} parameter, for {@code setObject}. */
  public static PGobject of(String[] values) throws SQLException {
    PGobject array = new PGobject();
    array.setType("text[]");
    array.setValue(literal(values));
    return array;
  }

  /**
   * The array's text form, as pgjdbc writes it: each element double-quoted with {@code "} and
   * {@code \} escaped by a backslash (so commas, braces, blanks and the word NULL stay text), a null
   * element as an unquoted {@code NULL}.
   */
  static String literal(String[] values) {
    StringBuilder sb = new StringBuilder(2 + values.length * 12).append('{');
    for (int i = 0; i < values.length; i++) {
      if (i > 0) {
        sb.append(',');
      }
      String v = values[i];
      if (v == null) {
        sb.append("NULL");
        continue;
      }
      sb.append('"');
      for (int k = 0; k < v.length(); k++) {
        char ch = v.charAt(k);
        if (ch == '"' || ch == '\\') {
          sb.append('\\');
        }
        sb.append(ch);
      }
      sb.append('"');
    }
    return sb.append('}').toString();
  }
}
