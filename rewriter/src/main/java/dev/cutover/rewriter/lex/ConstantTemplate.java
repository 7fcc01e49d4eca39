package dev.cutover.rewriter.lex;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The rewrite of one text of a {@link ConstantShape} with its constants as slots, so that another
 * text of the same shape gets its rewrite by putting its own constants in: the rewritten text split
 * at every constant token whose text is exactly one of the original constants.
 *
 * <p>Implementation notes: the rewriter copies the original text around its edits and never
 * changes a constant, so each constant of the original normally reappears as a token of its own in
 * the rewrite, once or several times (a value written to two columns). A constant the rewriter
 * adds itself ({@code COALESCE(x, 0)}, a conversion's literal) is kept as text, unless its text
 * happens to equal one of the original constants: then it becomes a slot by mistake. That, and a
 * rewrite that depends on a constant's value at all, is what the caller checks before trusting a
 * template: the rewrite of a second text of the shape, computed in full, must equal this template
 * filled with that text's constants, and only constants that differed between the two texts count
 * as checked. A text whose constants repeat one another ({@code a = 1 AND b = 1}) makes no template,
 * since a slot could not say which of them it holds. Immutable.
 */
public final class ConstantTemplate {

  private final String[] segments;
  private final int[] slots;

  private ConstantTemplate(String[] segments, int[] slots) {
    this.segments = segments;
    this.slots = slots;
  }

  /**
   * The template of {@code rewritten} (the rewrite of a text whose constants are {@code constants}),
   * or {@code null} when {@code rewritten} does not lex cleanly.
   */
  public static ConstantTemplate of(String rewritten, String[] constants) {
    Map<String, Integer> index = new HashMap<>(constants.length * 2);
    for (int i = 0; i < constants.length; i++) {
      index.putIfAbsent(constants[i], i);
    }
    List<String> segments = new ArrayList<>();
    List<Integer> slots = new ArrayList<>();
    int copied = 0;
    for (Token t : Lexer.lex(rewritten)) {
      if (t.unterminated()) {
        return null;
      }
      TokenKind k = t.kind();
      if (k != TokenKind.NUMBER && k != TokenKind.STRING && k != TokenKind.PREFIXED_STRING
          && k != TokenKind.DOLLAR_STRING) {
        continue;
      }
      Integer slot = index.get(rewritten.substring(t.start(), t.end()));
      if (slot != null) {
        segments.add(rewritten.substring(copied, t.start()));
        slots.add(slot);
        copied = t.end();
      }
    }
    segments.add(rewritten.substring(copied));
    return new ConstantTemplate(segments.toArray(new String[0]), slots.stream().mapToInt(Integer::intValue).toArray());
  }

  /** The rewritten text with {@code constants} (of a text of the same shape) in the slots. */
  public String fill(String[] constants) {
    int length = 0;
    for (String s : segments) {
      length += s.length();
    }
    for (int slot : slots) {
      length += constants[slot].length();
    }
    StringBuilder out = new StringBuilder(length);
    for (int i = 0; i < slots.length; i++) {
      out.append(segments[i]).append(constants[slots[i]]);
    }
    return out.append(segments[slots.length]).toString();
  }

  /**
   * Whether this template is {@code key} itself (a {@link ConstantShape#key()}) with each constant
   * in its own slot, in order: then filling it with the constants of any text of that key gives
   * that text back, and a caller can use the text instead of building a copy (a statement the
   * rewriter sends as written, such as a SELECT through the old name in {@code dual_write}).
   */
  public boolean isIdentityOf(String key) {
    int from = 0;
    for (int i = 0; i < slots.length; i++) {
      int mark = key.indexOf(ConstantShape.MARK, from);
      if (slots[i] != i || mark < 0 || !key.regionMatches(from, segments[i], 0, segments[i].length())
          || mark - from != segments[i].length()) {
        return false;
      }
      from = mark + 1;
    }
    String last = segments[slots.length];
    return key.indexOf(ConstantShape.MARK, from) < 0 && key.length() - from == last.length()
        && key.regionMatches(from, last, 0, last.length());
  }
}
