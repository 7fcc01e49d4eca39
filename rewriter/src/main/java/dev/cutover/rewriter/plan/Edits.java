package dev.cutover.rewriter.plan;

import dev.cutover.rewriter.lex.SqlText;
import dev.cutover.rewriter.lex.Token;
import dev.cutover.rewriter.lex.TokenKind;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The changes planned for one SQL text, applied to the original text at the end.
 *
 * <p>Implementation notes: there are two kinds of change. A <em>replacement</em> swaps the text of
 * one identifier leaf for new text (never containing a placeholder). An <em>insertion</em> adds
 * pieces at one offset; a piece is either new text or a copy of an original range, and a copy is
 * rendered with the replacements inside that range applied (so a duplicated right-hand side reads
 * the phase's column too). Replacements never overlap each other; insertions never fall strictly
 * inside a replacement. The parameter map follows the placeholders in output order: each copied
 * placeholder binds the application parameter of the original one.
 *
 * <p>Wherever new text or a copy meets the text before or after it in the output, a space is put
 * between them when their touching characters would otherwise read as one token (original text
 * next to original text is never changed): two word
 * characters ({@code AS ownerFROM}), a word character and a quote ({@code E'...'}), two operator
 * characters ({@code -} and {@code -} start a comment), or two quotes of the same kind.
 */
public final class Edits {

  /** A piece of an insertion: literal text, or a copy of the original range {@code [start, end)}. */
  public record Piece(String text, int start, int end) {
    /** New text. */
    public static Piece text(String text) {
      return new Piece(text, -1, -1);
    }

    /** A copy of the original range {@code [start, end)}, with its replacements applied. */
    public static Piece copy(int start, int end) {
      return new Piece(null, start, end);
    }
  }

  /**
   * A replacement; a {@code moved} one stands for a value moved elsewhere: a copy of exactly its
   * range renders the original (with the replacements inside it), and it may contain other
   * replacements.
   */
  private record Replacement(int start, int end, String text, boolean moved) {}

  private record Insertion(int at, int seq, List<Piece> pieces) {}

  private final SqlText text;
  private final List<Replacement> replacements = new ArrayList<>();
  private final List<Insertion> insertions = new ArrayList<>();

  /** Plans changes to {@code text}. */
  public Edits(SqlText text) {
    this.text = text;
  }

  /** Replaces the original range {@code [start, end)} (one identifier) with {@code replacement}. */
  public void replace(int start, int end, String replacement) {
    add(new Replacement(start, end, replacement, false));
  }

  /**
   * Replaces the original range {@code [start, end)} with {@code replacement} where it stands, while
   * a {@link Piece#copy} of exactly that range still renders its original text: a value computed
   * once elsewhere (copied there) and referred to here.
   */
  public void move(int start, int end, String replacement) {
    add(new Replacement(start, end, replacement, true));
  }

  private void add(Replacement added) {
    for (Replacement r : replacements) {
      if (r.start == added.start && r.end == added.end && r.moved == added.moved
          && r.text.equals(added.text)) {
        return; // the same leaf planned twice (Calcite repeats CASE x's operand in every WHEN)
      }
      boolean nested = r.moved && r.start <= added.start && added.end <= r.end
          || added.moved && added.start <= r.start && r.end <= added.end;
      if (r.start < added.end && added.start < r.end && !nested) {
        throw new IllegalStateException("overlapping replacements at " + added.start);
      }
    }
    replacements.add(added);
  }

  /** Inserts {@code pieces} at offset {@code at}; insertions at one offset keep their order. */
  public void insert(int at, List<Piece> pieces) {
    insertions.add(new Insertion(at, insertions.size(), List.copyOf(pieces)));
  }

  /** A point to return to with {@link #rollback(Mark)}. */
  public record Mark(int replacements, int insertions) {}

  /** The current point. */
  public Mark mark() {
    return new Mark(replacements.size(), insertions.size());
  }

  /** Forgets every change planned since {@code mark}. */
  public void rollback(Mark mark) {
    replacements.subList(mark.replacements(), replacements.size()).clear();
    insertions.subList(mark.insertions(), insertions.size()).clear();
  }

  /** Whether nothing is planned. */
  public boolean isEmpty() {
    return replacements.isEmpty() && insertions.isEmpty();
  }

  /**
   * The rewritten text and its parameter map.
   *
   * @param sql the rewritten SQL
   * @param parameterMap application parameter bound by each rewritten placeholder, in order
   */
  public record Result(String sql, int[] parameterMap) {}

  /** Applies every change to the original text. */
  public Result apply() {
    // By start; an enclosing (moved) replacement before the ones inside it.
    replacements.sort(Comparator.comparingInt(Replacement::start).thenComparing(Comparator.comparingInt(Replacement::end).reversed()));
    insertions.sort(Comparator.comparingInt(Insertion::at).thenComparingInt(Insertion::seq));
    StringBuilder out = new StringBuilder(text.sql().length() + 64);
    List<Integer> params = new ArrayList<>();
    int pos = 0;
    afterNew = false;
    for (Insertion ins : insertions) {
      render(pos, ins.at, out, params, false);
      pos = Math.max(pos, ins.at);
      for (Piece p : ins.pieces) {
        if (p.text != null) {
          appendNew(out, p.text);
        } else {
          afterNew = true; // a copy lands beside text it was not next to
          render(p.start, p.end, out, params, true);
        }
      }
      afterNew = !ins.pieces.isEmpty();
    }
    render(pos, text.sql().length(), out, params, false);
    return new Result(out.toString(), params.stream().mapToInt(Integer::intValue).toArray());
  }

  /** Renders the original range {@code [from, to)} with its replacements, collecting placeholders. */
  private void render(int from, int to, StringBuilder out, List<Integer> params, boolean copy) {
    int pos = from;
    for (Replacement r : replacements) {
      if (r.start < from || r.end > to || r.start < pos) {
        continue; // outside the range, or inside a replacement already applied
      }
      if (copy && r.moved && r.start == from && r.end == to) {
        continue; // the copy of a moved value is the value itself
      }
      copyOriginal(pos, r.start, out, params);
      appendNew(out, r.text);
      pos = r.end;
    }
    copyOriginal(pos, to, out, params);
  }

  /** Whether the last text appended was new (so the original text after it may need a separating space). */
  private boolean afterNew;

  /**
   * Appends new text, with a space before it when it would otherwise run into the text before it
   * ({@code SELECT(x)FROM}, {@code SELECT"x"FROM}: PostgreSQL needs no spaces there, but a new
   * name or {@code AS label} beside them would merge into one token). Original text next to
   * original text is never changed.
   */
  private void appendNew(StringBuilder out, String piece) {
    if (piece.isEmpty()) {
      return;
    }
    if (!out.isEmpty() && runTogether(out.charAt(out.length() - 1), piece.charAt(0))) {
      out.append(' ');
    }
    out.append(piece);
    afterNew = true;
  }

  /** Whether {@code before} directly followed by {@code after} could lex differently from the two apart. */
  static boolean runTogether(char before, char after) {
    if (isWordChar(before)) {
      return isWordChar(after) || after == '\'';
    }
    if (isOperatorChar(before)) {
      return isOperatorChar(after);
    }
    return (before == '"' || before == '\'') && after == before;
  }

  private static boolean isWordChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '$' || c > 127;
  }

  private static boolean isOperatorChar(char c) {
    return "+-*/<>=~!@#%^&|`?".indexOf(c) >= 0;
  }

  private void copyOriginal(int from, int to, StringBuilder out, List<Integer> params) {
    if (from >= to) {
      return;
    }
    if (afterNew && !out.isEmpty() && runTogether(out.charAt(out.length() - 1), text.sql().charAt(from))) {
      out.append(' ');
    }
    afterNew = false;
    out.append(text.sql(), from, to);
    int i = text.tokenStartingAt(from);
    if (i < 0) {
      throw new IllegalStateException("copy does not start at a token boundary: " + from);
    }
    List<Token> tokens = text.tokens();
    for (; i < tokens.size() && tokens.get(i).start() < to; i++) {
      if (tokens.get(i).kind() == TokenKind.PLACEHOLDER) {
        params.add(text.placeholderOrdinal(i));
      }
    }
  }
}
