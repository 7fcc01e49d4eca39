package dev.cutover.rewriter.parse;

import java.util.Arrays;
import org.apache.calcite.sql.parser.SqlParserPos;

/**
 * Converts Calcite's (line, column) positions, 1-based and inclusive in UTF-16 units, into offsets
 * of the original text. The parsed text starts at {@code base} in the original and has the same
 * length and the same newlines.
 */
public final class PositionMap {

  private final int base;
  private final int[] lineStarts;

  /** Indexes the lines of {@code parsedText}, which starts at {@code base} in the original. */
  public PositionMap(String parsedText, int base) {
    this.base = base;
    int[] starts = new int[8];
    int count = 1;
    for (int i = 0; i < parsedText.length(); i++) {
      if (parsedText.charAt(i) == '\n') {
        if (count == starts.length) {
          starts = Arrays.copyOf(starts, count * 2);
        }
        starts[count++] = i + 1;
      }
    }
    this.lineStarts = Arrays.copyOf(starts, count);
  }

  /** Offset in the original text of the first character of {@code pos}, or -1 when unknown. */
  public int start(SqlParserPos pos) {
    return offset(pos.getLineNum(), pos.getColumnNum());
  }

  /** Offset in the original text just after the last character of {@code pos}, or -1 when unknown. */
  public int end(SqlParserPos pos) {
    int last = offset(pos.getEndLineNum(), pos.getEndColumnNum());
    return last < 0 ? -1 : last + 1;
  }

  private int offset(int line, int column) {
    if (line < 1 || line > lineStarts.length || column < 1) {
      return -1;
    }
    return base + lineStarts[line - 1] + column - 1;
  }
}
