package dev.cutover.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TextArraysTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  private static final String[] AWKWARD = {"plain", "", "with space", "a,b", "{braces}", "quote\"d", "back\\slash",
      "\\\"", "NULL", "null", null, "tab\tnew\nline", "ünïcödé €", " lead", "trail ", "'single'"};

  @Test
  void theServerReadsTheSameElementsAsFromCreateArrayOf() throws SQLException {
    try (Connection c = db.plainConnection();
        PreparedStatement ps = c.prepareStatement("SELECT CAST(? AS text[]), CAST(? AS text[]),"
            + " pg_typeof(?)::text, CAST(? AS text[]) IS NOT DISTINCT FROM CAST(? AS text[])")) {
      ps.setObject(1, TextArrays.of(AWKWARD));
      ps.setArray(2, c.createArrayOf("text", AWKWARD));
      ps.setObject(3, TextArrays.of(AWKWARD));
      ps.setObject(4, TextArrays.of(AWKWARD));
      ps.setArray(5, c.createArrayOf("text", AWKWARD));
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat((Object[]) rs.getArray(1).getArray()).containsExactly((Object[]) AWKWARD);
        assertThat(rs.getString(1)).isEqualTo(rs.getString(2));
        assertThat(rs.getString(3)).isEqualTo("text[]");
        assertThat(rs.getBoolean(4)).isTrue();
      }
    }
  }

  @Test
  void emptyAndFromACollection() throws SQLException {
    try (Connection c = db.plainConnection();
        PreparedStatement ps = c.prepareStatement("SELECT cardinality(CAST(? AS text[])), CAST(? AS text[])")) {
      ps.setObject(1, TextArrays.of(List.of()));
      ps.setObject(2, TextArrays.of(List.of("x", "y\"")));
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).isZero();
        assertThat((Object[]) rs.getArray(2).getArray()).containsExactly("x", "y\"");
      }
    }
    assertThat(TextArrays.literal(new String[] {"a\"b", "c\\", null})).isEqualTo("{\"a\\\"b\",\"c\\\\\",NULL}");
  }
}
