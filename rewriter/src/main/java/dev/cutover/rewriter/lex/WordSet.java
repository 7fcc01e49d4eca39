package dev.cutover.rewriter.lex;

import java.util.Locale;
import java.util.Set;

/**
 * A small set of words looked for in SQL text in one pass, without allocating: the hot path's
 * pre-filter ("could this statement name a migrating table?").
 *
 * <p>A word is a maximal run of letters, digits and {@code _}; anything else (spaces, quotes, dots,
 * operators, comments, {@code $}) separates words, so {@code "users"}, {@code public.users},
 * {@code users(}, {@code $$users$$} and {@code users} before a comment all contain the word
 * {@code users}, while {@code all_users} does not. Matching ignores case. Words inside string literals and
 * comments are found too.
 *
 * <p>The check must never miss a spelling PostgreSQL's lexer accepts; a false positive only costs
 * a parse. So wherever this scan and PostgreSQL split a text differently, the scan splits more:
 * <ul>
 *   <li>{@code $} separates here, while PostgreSQL keeps it inside an identifier ({@code users$1}
 *       matches, a false positive) but not at its start ({@code $$users$$}, {@code $1users});
 *   <li>a run that starts with a digit is a number glued to what follows for PostgreSQL
 *       ({@code 1users} is {@code 1 users} before version 15): it matches when it ends with a word;
 *   <li>a Unicode-escaped identifier ({@code U&"\0075sers"}, optionally with {@code UESCAPE}) can
 *       spell any name in escapes, and so can a string that the server may run as SQL later (a
 *       {@code DO} body written {@code E'...\x75sers...'} or {@code U&'...'}): a text holding
 *       {@code U&"} or {@code U&'}, or a backslash after an {@code E'}, matches every set that is
 *       not empty, when the set is made with {@code escapesMatch}.
 * </ul>
 * PostgreSQL folds only ASCII letters of unquoted names; matching every case here is a superset.
 * PostgreSQL cuts a name to 63 bytes: a longer run that starts with a word of 60 bytes or more
 * matches it.
 */
public final class WordSet {

  private final String[] words;
  // Bit n set when some word has length n (n < 64): most words of a statement fail this test.
  private final long lengths;
  private final boolean anyLong;
  private final boolean escapesMatch;
  // Words so long (60 UTF-8 bytes or more) that a longer name PostgreSQL cuts to 63 bytes may be
  // them; the char length of the shortest such word, or MAX_VALUE.
  private final String[] truncatable;
  private final int truncatableFrom;

  /** A set whose escape rule is off (see {@link #WordSet(Set, boolean)}). */
  public WordSet(Set<String> words) {
    this(words, false);
  }

  /**
   * @param words the words to look for; each must itself be a word (see the class comment)
   * @param escapesMatch whether a text that may spell a word in escapes (see the class comment)
   *     matches: on for table names, whose every spelling counts
   */
  public WordSet(Set<String> words, boolean escapesMatch) {
    this.escapesMatch = escapesMatch;
    this.words = words.stream().map(w -> w.toLowerCase(Locale.ROOT)).distinct().toArray(String[]::new);
    long mask = 0;
    boolean longWord = false;
    for (String w : this.words) {
      if (!isWord(w)) {
        throw new IllegalArgumentException("not a single word: '" + w + "'");
      }
      if (w.length() < 64) {
        mask |= 1L << w.length();
      } else {
        longWord = true;
      }
    }
    this.lengths = mask;
    this.anyLong = longWord;
    this.truncatable = java.util.Arrays.stream(this.words)
        .filter(w -> w.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > Identifiers.MAX_NAME_BYTES - 4)
        .toArray(String[]::new);
    this.truncatableFrom = java.util.Arrays.stream(truncatable).mapToInt(String::length).min().orElse(Integer.MAX_VALUE);
  }

  /** Whether every character of {@code s} is a word character (so a {@code WordSet} can hold it). */
  public static boolean isWord(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (!isWordChar(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code text} contains one of the words as a whole word. */
  public boolean foundIn(String text) {
    if (words.length == 0) {
      return false;
    }
    int n = text.length();
    int i = 0;
    boolean escapeString = false;
    while (i < n) {
      while (i < n && !isWordChar(text.charAt(i))) {
        char c = text.charAt(i);
        if (!escapesMatch) {
          i++;
          continue;
        }
        if (c == '&' && unicodeEscape(text, i)) {
          return true;
        }
        if (c == '\'' && escapeStringStart(text, i)) {
          escapeString = true;
        } else if (c == '\\' && escapeString) {
          return true;
        }
        i++;
      }
      int start = i;
      while (i < n && isWordChar(text.charAt(i))) {
        i++;
      }
      int len = i - start;
      if (len > 0 && (len < 64 ? (lengths & (1L << len)) != 0 : anyLong) && matches(text, start, len)) {
        return true;
      }
      if (len > 0 && isDigit(text.charAt(start)) && endsWithWord(text, start, len)) {
        return true;
      }
      if (len > truncatableFrom && startsWithLongWord(text, start, len)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether {@code text} may spell a name in escapes: it holds {@code U&"} or {@code U&'} (a
   * Unicode-escaped identifier or string), or an {@code E'...'} string and a backslash after it.
   */
  public static boolean holdsEscapes(String text) {
    for (int i = text.indexOf('&'); i >= 0; i = text.indexOf('&', i + 1)) {
      if (unicodeEscape(text, i)) {
        return true;
      }
    }
    for (int i = text.indexOf('\''); i >= 0; i = text.indexOf('\'', i + 1)) {
      if (escapeStringStart(text, i)) {
        return text.indexOf('\\', i) >= 0;
      }
    }
    return false;
  }

  /** Whether the {@code &} at {@code i} is the {@code &} of {@code U&"} or {@code U&'}. */
  private static boolean unicodeEscape(String text, int i) {
    return i > 0 && i + 1 < text.length() && (text.charAt(i + 1) == '"' || text.charAt(i + 1) == '\'')
        && (text.charAt(i - 1) == 'u' || text.charAt(i - 1) == 'U');
  }

  /** Whether the quote at {@code i} opens an {@code E'...'} string (the E a word of its own). */
  private static boolean escapeStringStart(String text, int i) {
    return i > 0 && (text.charAt(i - 1) == 'e' || text.charAt(i - 1) == 'E')
        && (i == 1 || !isWordChar(text.charAt(i - 2)));
  }

  /** A digit-led run: whether it ends with one of the words (PostgreSQL reads the digits as a number). */
  private boolean endsWithWord(String text, int start, int len) {
    for (String w : words) {
      if (w.length() < len && text.regionMatches(true, start + len - w.length(), w, 0, w.length())) {
        return true;
      }
    }
    return false;
  }

  /** A run longer than a long word: whether it starts with one (PostgreSQL cuts names to 63 bytes). */
  private boolean startsWithLongWord(String text, int start, int len) {
    for (String w : truncatable) {
      if (w.length() < len && text.regionMatches(true, start, w, 0, w.length())) {
        return true;
      }
    }
    return false;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private boolean matches(String text, int start, int len) {
    for (String w : words) {
      if (w.length() == len && text.regionMatches(true, start, w, 0, len)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isWordChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
        || (c > 127 && Character.isLetterOrDigit(c));
  }
}
