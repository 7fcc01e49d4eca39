package dev.cutover.rewriter.parse;

import dev.cutover.rewriter.parse.generated.ParseException;
import dev.cutover.rewriter.parse.generated.PostgresParserImpl;

/**
 * Which token kinds each third of the grammar's non-reserved keywords holds, for the generated
 * parser only: its {@code NonReservedKeyWord} choice asks here before trying an alternative.
 *
 * <p>Why: JavaCC turns a syntactic lookahead that reaches {@code NonReservedKeyWord} (a name where
 * a keyword may serve as one: after a dot, an alias, a function name...) into a chain of one token
 * comparison per keyword, about 600 of them, run in full each time the token looked at is not a
 * keyword at all ({@code ?}, a literal, a parenthesis, a reserved word). That chain was the largest
 * single part of a rewrite-cache miss. The guard answers the same question with one array read;
 * where it admits a token, the alternative runs exactly as before.
 *
 * <p>Implementation notes: the sets are read from the parser itself, the way Calcite's parser
 * metadata reads its keyword lists: each third's production is run on a token it does not accept,
 * and the parse error lists every token kind it expected. So they always match the grammar built.
 */
public final class NonReservedKeywords {

  private static final boolean[][] PARTS = {expected(0), expected(1), expected(2)};

  private NonReservedKeywords() {}

  /** Whether token kind {@code kind} is one of third {@code part} (0, 1 or 2) of the non-reserved keywords. */
  public static boolean in(int part, int kind) {
    boolean[] kinds = PARTS[part];
    return kind >= 0 && kind < kinds.length && kinds[kind];
  }

  private static boolean[] expected(int part) {
    PostgresParserImpl parser = new PostgresParserImpl(new StatementReader("1"));
    try {
      switch (part) {
        case 0 -> parser.NonReservedKeyWord0of3();
        case 1 -> parser.NonReservedKeyWord1of3();
        default -> parser.NonReservedKeyWord2of3();
      }
    } catch (ParseException e) {
      boolean[] kinds = new boolean[e.tokenImage.length];
      int n = 0;
      for (int[] sequence : e.expectedTokenSequences) {
        // The first token is the one the guard looks at; taking more than the third holds only costs time.
        if (sequence.length > 0 && !kinds[sequence[0]]) {
          kinds[sequence[0]] = true;
          n++;
        }
      }
      if (n == 0) {
        throw new IllegalStateException("no non-reserved keyword found in part " + part + " of the grammar", e);
      }
      return kinds;
    }
    throw new IllegalStateException("part " + part + " of the non-reserved keywords accepted a number");
  }
}
