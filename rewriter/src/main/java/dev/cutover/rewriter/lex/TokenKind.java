package dev.cutover.rewriter.lex;

/** The kinds of token the {@link Lexer} produces. */
public enum TokenKind {
  /** Spaces, tabs, newlines. */
  WHITESPACE,
  /** {@code -- ...} up to the end of the line. */
  LINE_COMMENT,
  /** {@code /* ... *&#47;}, nested. */
  BLOCK_COMMENT,
  /** An unquoted identifier or keyword. */
  IDENT,
  /** A {@code "quoted"} identifier (quotes included in the token's span). */
  QUOTED_IDENT,
  /**
   * A Unicode-escaped identifier {@code U&"..."} (quotes included; a following {@code UESCAPE 'c'}
   * is tokens of its own). Not an {@link Token#isIdentifier() identifier} for the planners: its
   * name is read with {@link SqlText#unicodeName(int)}.
   */
  UNICODE_IDENT,
  /** A plain {@code '...'} string with {@code ''} escapes. */
  STRING,
  /** {@code E'...'} with backslash escapes, or {@code B'..'}, {@code X'..'}, {@code U&'..'}. */
  PREFIXED_STRING,
  /** {@code $$...$$} or {@code $tag$...$tag$}. */
  DOLLAR_STRING,
  /** A numeric literal. */
  NUMBER,
  /** A JDBC {@code ?} placeholder. */
  PLACEHOLDER,
  /** {@code ??}, {@code ??|} or {@code ??&}: pgjdbc's escaped jsonb operators, not placeholders. */
  ESCAPED_QUESTION,
  /** A {@code $1} positional parameter (not JDBC). */
  DOLLAR_PARAM,
  /** An operator made of operator characters, including {@code ::} and {@code *}. */
  OPERATOR,
  /** {@code (}. */
  LPAREN,
  /** {@code )}. */
  RPAREN,
  /** {@code [}. */
  LBRACKET,
  /** {@code ]}. */
  RBRACKET,
  /** {@code ,}. */
  COMMA,
  /** {@code .}. */
  DOT,
  /** {@code ;}. */
  SEMICOLON,
  /** {@code {}: opens a JDBC escape. */
  LBRACE,
  /** {@code }}: closes a JDBC escape. */
  RBRACE,
  /** Anything else (a lone character the lexer does not know). */
  OTHER
}
