package dev.cutover.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.testing.TestDatabase;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Recorded bindings, applied to real pgjdbc statements: primitive setters recorded unboxed give the
 * server exactly the values the application bound (extremes, NaN, negative zero, SQL NULL), through
 * a parameter map and in a batch-row copy; cleared bindings (those a closed statement hands to the
 * next one) bind nothing.
 */
class ParameterBindingsTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  private static final String ECHO = "SELECT ?::int2, ?::int2, ?::int4, ?::int8, ?::float4, ?::float8, ?::bool, ?::int8,"
      + " ?::text, ?::numeric";

  private static ParameterBindings extremes() {
    ParameterBindings b = new ParameterBindings();
    b.setPrimitive(1, Setter.BYTE, (byte) -128);
    b.setPrimitive(2, Setter.SHORT, Short.MIN_VALUE);
    b.setPrimitive(3, Setter.INT, Integer.MIN_VALUE);
    b.setPrimitive(4, Setter.LONG, Long.MAX_VALUE);
    b.setPrimitive(5, Setter.FLOAT, Float.floatToRawIntBits(-0.0f));
    b.setPrimitive(6, Setter.DOUBLE, Double.doubleToRawLongBits(Double.NaN));
    b.setPrimitive(7, Setter.BOOLEAN, 1);
    b.setPrimitive(8, Setter.NULL, Types.BIGINT);
    b.set(9, Setter.STRING, "text", null, null);
    b.set(10, Setter.BIG_DECIMAL, new BigDecimal("12.50"), null, null);
    return b;
  }

  private static String echo(PreparedStatement ps) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      assertThat(rs.next()).isTrue();
      StringBuilder row = new StringBuilder();
      for (int i = 1; i <= 10; i++) {
        row.append(i > 1 ? "|" : "").append(rs.getString(i));
      }
      return row.toString();
    }
  }

  @Test
  void applyAll_primitiveSetters_sendTheValuesBound() throws SQLException {
    try (Connection c = db.plainConnection(); PreparedStatement ps = c.prepareStatement(ECHO)) {
      extremes().applyAll(ps, null);
      assertThat(echo(ps)).isEqualTo("-128|-32768|-2147483648|9223372036854775807|-0|NaN|t|null|text|12.50");
    }
  }

  @Test
  void applyAll_throughParameterMap_andCopy_sendTheValuesBound() throws SQLException {
    ParameterBindings b = new ParameterBindings();
    b.setPrimitive(1, Setter.LONG, -5_000_000_000L);
    b.setPrimitive(2, Setter.DOUBLE, Double.doubleToRawLongBits(2.5));
    ParameterBindings row = b.copy(); // a batch row
    b.setPrimitive(1, Setter.LONG, 7); // the live bindings move on; the copy keeps its values
    try (Connection c = db.plainConnection(); PreparedStatement ps = c.prepareStatement("SELECT ?::int8, ?::float8, ?::int8")) {
      row.applyAll(ps, new int[] {1, 2, 1});
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getLong(1)).isEqualTo(-5_000_000_000L);
        assertThat(rs.getDouble(2)).isEqualTo(2.5);
        assertThat(rs.getLong(3)).isEqualTo(-5_000_000_000L);
      }
      b.applyAll(ps, new int[] {1, 2, 1});
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getLong(1)).isEqualTo(7);
      }
    }
  }

  @Test
  void applyAll_indexBoundAgainWithAnotherSetter_sendsTheLastBinding() throws SQLException {
    ParameterBindings b = new ParameterBindings();
    b.set(1, Setter.STRING, "first", null, null);
    b.setPrimitive(1, Setter.LONG, 5); // a primitive after an object
    b.setPrimitive(2, Setter.INT, 3);
    b.set(2, Setter.OBJECT_TYPE, "7", Types.INTEGER, null); // an object with an extra argument after a primitive
    b.setPrimitive(3, Setter.INT, 9); // grows the arrays
    b.set(3, Setter.STRING, "last", null, null);
    b.setPrimitive(6, Setter.NULL, Types.INTEGER);
    try (Connection c = db.plainConnection();
        PreparedStatement ps = c.prepareStatement("SELECT ?::int8, ?::int4, ?::text, ?::text, ?::text, ?::int4")) {
      b.set(4, Setter.STRING, "x", null, null);
      b.set(5, Setter.STRING, "y", null, null);
      ParameterBindings row = b.copy();
      row.applyAll(ps, null);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getLong(1)).isEqualTo(5);
        assertThat(rs.getInt(2)).isEqualTo(7);
        assertThat(rs.getString(3)).isEqualTo("last");
        assertThat(rs.getString(6)).isNull();
      }
    }
  }

  @Test
  void clear_recycledBindings_bindNothing() throws SQLException {
    ParameterBindings b = extremes();
    assertThat(b.recyclable()).isTrue();
    b.clear();
    b.setPrimitive(1, Setter.BYTE, 1);
    try (Connection c = db.plainConnection(); PreparedStatement ps = c.prepareStatement(ECHO)) {
      b.applyAll(ps, null);
      // Only parameter 1 is bound: pgjdbc refuses, as for a statement whose other parameters were never set.
      assertThatThrownBy(ps::executeQuery).isInstanceOf(SQLException.class).hasMessageContaining("parameter 2");
    }
  }

  @Test
  void recyclable_manyParameters_notKept() {
    ParameterBindings b = new ParameterBindings();
    b.setPrimitive(ParameterBindings.MAX_RECYCLED_PARAMETERS + 1, Setter.INT, 1);
    assertThat(b.recyclable()).isFalse();
  }
}
