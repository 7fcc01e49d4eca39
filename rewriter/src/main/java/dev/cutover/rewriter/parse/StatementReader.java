package dev.cutover.rewriter.parse;

import java.io.IOException;
import java.io.Reader;

/**
 * The parser's input: the characters of one statement, ending in a shared, stackless {@link
 * IOException} instead of {@code -1}.
 *
 * <p>Why: JavaCC's generated {@code SimpleCharStream} answers {@code -1} by closing the reader and
 * throwing a new {@code IOException}, which the token manager catches as end of input; after the
 * close, the next read of a {@code StringReader} throws again. Each of those exceptions filled in a
 * stack trace as deep as the parser's recursion, a large part of a cache miss's time. Thrown here
 * instead, the end of input costs nothing: {@code SimpleCharStream} catches and rethrows it as it is.
 * Not thread-safe; one per parse.
 */
final class StatementReader extends Reader {

  private static final IOException END = new EndOfStatement();

  private final String text;
  private int next;

  StatementReader(String text) {
    this.text = text;
  }

  @Override
  public int read(char[] buffer, int offset, int length) throws IOException {
    if (length == 0) {
      return 0;
    }
    int n = Math.min(length, text.length() - next);
    if (n <= 0) {
      throw END;
    }
    text.getChars(next, next + n, buffer, offset);
    next += n;
    return n;
  }

  @Override
  public void close() {
    // nothing to release; reading past the end keeps answering END
  }

  /** The end of the statement: no message to build, no stack to record. */
  private static final class EndOfStatement extends IOException {
    private static final long serialVersionUID = 1L;

    EndOfStatement() {
      super("end of statement", null);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }
}
