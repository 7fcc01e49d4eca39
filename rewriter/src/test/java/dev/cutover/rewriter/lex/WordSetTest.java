package dev.cutover.rewriter.lex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WordSetTest {

  private final WordSet users = new WordSet(Set.of("users", "Orders"));

  @ParameterizedTest
  @ValueSource(strings = {
      "SELECT * FROM users", "select * from USERS where id = ?", "SELECT \"users\".id FROM \"users\"",
      "SELECT 1 FROM public.users u", "UPDATE users SET a = 1", "users", "SELECT x FROM orders",
      "INSERT INTO users(id) VALUES (1)", "SELECT 1;users", "/*users*/ SELECT 1", "SELECT 'users'"})
  void foundIn_wholeWordAnyCase(String sql) {
    assertThat(users.foundIn(sql)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "SELECT * FROM all_users", "SELECT * FROM users2", "SELECT * FROM user", "SELECT $users FROM t",
      "SELECT usersx FROM t", "", "SELECT 1", "SELECT * FROM tusers"})
  void foundIn_notAsPartOfLongerWord(String sql) {
    assertThat(users.foundIn(sql)).isFalse();
  }

  @Test
  void foundIn_emptySet_neverMatches() {
    assertThat(new WordSet(Set.of()).foundIn("SELECT * FROM users")).isFalse();
  }

  @Test
  void new_rejectsNonWords() {
    assertThatThrownBy(() -> new WordSet(Set.of("my table"))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void isWord_unicodeLettersCount() {
    assertThat(WordSet.isWord("bücher")).isTrue();
    assertThat(new WordSet(Set.of("bücher")).foundIn("SELECT * FROM BüCHER")).isTrue();
  }
}
