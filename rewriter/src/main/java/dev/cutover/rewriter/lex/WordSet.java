package dev.cutover.rewriter.lex;

import java.util.Locale;
import java.util.Set;

/**
 * A small set of words looked for in SQL text in one pass, without allocating: the hot path's
 * pre-filter ("could this statement name a migrating table?").
 *
 * <p>A word is a maximal run of letters, digits, {@code _} and {@code $}; anything else (spaces,
 * quotes, dots, operators) separates words, so {@code "users"}, {@code public.users} and
 * {@code users(} all contain the word {@code users}, while {@code all_users} does not. Matching
 * ignores ASCII case. Words inside string literals and comments are found too: the check is
 * conservative (a false positive only costs a parse), never the other way round.
 */
public final class WordSet {

  private final String[] words;
  // Bit n set when some word has length n (n < 64): most words of a statement fail this test.
  private final long lengths;
  private final boolean anyLong;

  /** @param words the words to look for; each must itself be a word (see the class comment) */
  public WordSet(Set<String> words) {
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
    while (i < n) {
      while (i < n && !isWordChar(text.charAt(i))) {
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
    }
    return false;
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
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$'
        || (c > 127 && Character.isLetterOrDigit(c));
  }
}
