package dev.cutover.rewriter.lex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WordSetTest {

  private final WordSet users = new WordSet(Set.of("users", "Orders"), true);

  @ParameterizedTest
  @ValueSource(strings = {
      "SELECT * FROM users", "select * from USERS where id = ?", "SELECT \"users\".id FROM \"users\"",
      "SELECT 1 FROM public.users u", "UPDATE users SET a = 1", "users", "SELECT x FROM orders",
      "INSERT INTO users(id) VALUES (1)", "SELECT 1;users", "/*users*/ SELECT 1", "SELECT 'users'",
      "SELECT $users FROM t", "DO $$users$$", "DO $q$users$q$", "SELECT 1users", "SELECT 1e5users",
      "SELECT * FROM U&\"\\0075sers\"", "SELECT * FROM u&\"d!0061cct\" UESCAPE '!'", "SELECT users$1 FROM t"})
  void foundIn_wholeWordAnyCase(String sql) {
    assertThat(users.foundIn(sql)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "SELECT * FROM all_users", "SELECT * FROM users2", "SELECT * FROM user", "SELECT 1 & \"x\"",
      "SELECT usersx FROM t", "", "SELECT 1", "SELECT * FROM tusers"})
  void foundIn_notAsPartOfLongerWord(String sql) {
    assertThat(users.foundIn(sql)).isFalse();
  }

  @Test
  void foundIn_emptySet_neverMatches() {
    assertThat(new WordSet(Set.of()).foundIn("SELECT * FROM users")).isFalse();
  }

  @Test
  void foundIn_longerNameCutTo63BytesMatches() {
    String table = "t".repeat(63);
    WordSet set = new WordSet(Set.of(table));

    assertThat(set.foundIn("SELECT * FROM " + table + "xyz")).isTrue();
    assertThat(set.foundIn("SELECT * FROM " + table.substring(1))).isFalse();
    assertThat(users.foundIn("SELECT * FROM usersxyz")).isFalse();
  }

  @Test
  void foundIn_escapesMatchOnlyWhenAsked() {
    WordSet plain = new WordSet(Set.of("users"));

    assertThat(users.foundIn("DO E'UPDATE \\x75sers SET x = 1'")).isTrue();
    assertThat(users.foundIn("SELECT U&'\\0075sers'")).isTrue();
    assertThat(users.foundIn("SELECT E'a' || 'b\\'")).isTrue();
    assertThat(users.foundIn("SELECT 'b\\'")).isFalse();
    assertThat(users.foundIn("SELECT E'x'")).isFalse();
    assertThat(plain.foundIn("SELECT U&\"\\0075sers\"")).isFalse();
    assertThat(plain.foundIn("DO E'UPDATE \\x75sers SET x = 1'")).isFalse();
  }

  @Test
  void new_rejectsNonWords() {
    assertThatThrownBy(() -> new WordSet(Set.of("my table"))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void isWord_dollarIsNotAWordCharacter() {
    assertThat(WordSet.isWord("a$b")).isFalse();
  }

  @Test
  void isWord_unicodeLettersCount() {
    assertThat(WordSet.isWord("bücher")).isTrue();
    assertThat(new WordSet(Set.of("bücher")).foundIn("SELECT * FROM BüCHER")).isTrue();
  }
}
