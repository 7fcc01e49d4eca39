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

  private record Replacement(int start, int end, String text) {}

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
    for (Replacement r : replacements) {
      if (r.start < end && start < r.end) {
        throw new IllegalStateException("overlapping replacements at " + start);
      }
    }
    replacements.add(new Replacement(start, end, replacement));
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
    replacements.sort(Comparator.comparingInt(Replacement::start));
    insertions.sort(Comparator.comparingInt(Insertion::at).thenComparingInt(Insertion::seq));
    StringBuilder out = new StringBuilder(text.sql().length() + 64);
    List<Integer> params = new ArrayList<>();
    int pos = 0;
    for (Insertion ins : insertions) {
      render(pos, ins.at, out, params);
      pos = Math.max(pos, ins.at);
      for (Piece p : ins.pieces) {
        if (p.text != null) {
          out.append(p.text);
        } else {
          render(p.start, p.end, out, params);
        }
      }
    }
    render(pos, text.sql().length(), out, params);
    return new Result(out.toString(), params.stream().mapToInt(Integer::intValue).toArray());
  }

  /** Renders the original range {@code [from, to)} with its replacements, collecting placeholders. */
  private void render(int from, int to, StringBuilder out, List<Integer> params) {
    int pos = from;
    for (Replacement r : replacements) {
      if (r.start < from || r.end > to) {
        continue;
      }
      copyOriginal(pos, r.start, out, params);
      out.append(r.text);
      pos = r.end;
    }
    copyOriginal(pos, to, out, params);
  }

  private void copyOriginal(int from, int to, StringBuilder out, List<Integer> params) {
    if (from >= to) {
      return;
    }
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
