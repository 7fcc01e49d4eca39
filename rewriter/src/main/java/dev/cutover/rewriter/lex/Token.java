package dev.cutover.rewriter.lex;

/**
 * One lexical token of a SQL text.
 *
 * @param kind what it is
 * @param start offset of its first character (UTF-16 units)
 * @param end offset just after its last character
 * @param unterminated whether a string, quoted identifier or comment ran to the end of the text
 */
public record Token(TokenKind kind, int start, int end, boolean unterminated) {

  /** The token's text in {@code sql}. */
  public String text(String sql) {
    return sql.substring(start, end);
  }

  /** Whether the token is whitespace or a comment. */
  public boolean isTrivia() {
    return kind == TokenKind.WHITESPACE || kind == TokenKind.LINE_COMMENT || kind == TokenKind.BLOCK_COMMENT;
  }

  /** Whether the token is an identifier, quoted or not. */
  public boolean isIdentifier() {
    return kind == TokenKind.IDENT || kind == TokenKind.QUOTED_IDENT;
  }
}
