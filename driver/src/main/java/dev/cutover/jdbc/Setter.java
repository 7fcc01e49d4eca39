package dev.cutover.jdbc;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.StringReader;
import java.math.BigDecimal;
import java.net.URL;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Date;
import java.sql.NClob;
import java.sql.PreparedStatement;
import java.sql.Ref;
import java.sql.RowId;
import java.sql.SQLException;
import java.sql.SQLType;
import java.sql.SQLXML;
import java.sql.Time;
import java.sql.Timestamp;
import java.util.Calendar;

/**
 * One {@link PreparedStatement} setter, so that a recorded binding (kind, value and up to two extra
 * arguments) can be applied again to another index or another statement without reflection.
 *
 * <p>Streams and readers are recorded already read ({@code byte[]} / {@code String}): a stream can
 * be consumed only once, but a binding may be applied to two indexes (a value written to both
 * columns) or replayed after a re-preparation. For them {@code a} holds the length the application
 * gave ({@code Integer}, {@code Long}) or {@code null}, so the same pgjdbc overload is called.
 */
@SuppressWarnings("deprecation")
enum Setter {
  NULL(true) { void apply(PreparedStatement ps, int i, Object v, Object a, Object b) throws SQLException { ps.setNull(i, (Integer) v); } void applyPrimitive(PreparedStatement ps, int i, long v) throws SQLException { ps.setNull(i, (int) v); } },
  NULL_TYPE_NAME { void apply(PreparedStatement ps, int i, Object v, Object a, Object b) throws SQLException { ps.setNull(i, (Integer) v, (String) a); } },
  BOOLEAN(true) { void apply(PreparedStatement ps, int i, Object v, Object a, Object b) throws SQLException { ps.setBoolean(i, (Boolean) v); } void applyPrimitive(PreparedStatement ps, int i, long v) throws SQLException { ps.setBoolean(i, v != 0); } },
  BYTE(true) { void apply(PreparedStatement ps, int i, Object v, Object a, Object b) throws SQLException { ps.setByte(i, (Byte) v); } void applyPrimitive(PreparedStatement ps, int i, long v) throws SQLException { ps.setByte(i, (byte) v); } },
  SHORT(true) { void apply(PreparedStatement ps, int i, Object v, Object a, Object b) throws SQLException { ps.setShort(i, (Short) v); } void applyPrimitive(PreparedStatement ps, int i, long v) throws SQLException { ps.setShort(i, (short) v); } },
  INT(true) { void apply(PreparedStatement ps, int i, Object v, Object a, Object b) throws SQLException { ps.setInt(i, (Integer) v); } void applyPrimitive(PreparedStatement ps, int i, long v) throws SQLException { ps.setInt(i, (int) v); } },
  LONG(true) { void apply(PreparedStatement ps, int i, Object v, Object a, Object b) throws SQLException { ps.setLong(i, (Long) v); } void applyPrimitive(PreparedStatement ps, int i, long v) throws SQLException { ps.setLong(i, v); } },
  FLOAT(true) { void apply(PreparedStatement ps, int i, Object v, Object a, Object b) throws SQLException { ps.setFloat(i, (Float) v); } void applyPrimitive(PreparedStatement ps, int i, long v) throws SQLException { ps.setFloat(i, Float.intBitsToFloat((int) v)); } },
  DOUBLE(true) { void apply(PreparedStatement ps, int i, Object v, Object a, Object b) throws SQLException { ps.setDouble(i, (Double) v); } void applyPrimitive(PreparedStatement ps, int i, long v) throws SQLException { ps.setDouble(i, Double.longBitsToDouble(v)); } },
  BIG_DECIMAL { void apply(PreparedStatement ps, int i, Object v, Object a, Object b) throws SQLException { ps.setBigDecimal(i, (BigDecimal) v); } },
  STRING { void apply(PreparedStatement ps, int i, Object v, Object a, Object b) throws SQLException { ps.setString(i, (String) v); } },
  NSTRING { void apply(PreparedStatement ps, int i, Object v, Object a, Object b) throws SQLException { ps.setNString(i, (String) v); } },
  BYTES { void apply(PreparedStatement ps, int i, Object v, Object a, Object b) throws SQLException { ps.setBytes(i, (byte[]) v); } },
  DATE { void apply(PreparedStatement ps, int i, Object v, Object a, Object b) throws SQLException { ps.setDate(i, (Date) v); } },
  DATE_CALENDAR { void apply(PreparedStatement ps, int i, Object v, Object a, Object b) throws SQLException { ps.setDate(i, (Date) v, (Calendar) a); } },
  TIME { void apply(PreparedStatement ps, int i, Object v, Object a, Object b) throws SQLException { ps.setTime(i, (Time) v); } },
  TIME_CALENDAR { void apply(PreparedStatement ps, int i, Object v, Object a, Object b) throws SQLException { ps.setTime(i, (Time) v, (Calendar) a); } },
  TIMESTAMP { void apply(PreparedStatement ps, int i, Object v, Object a, Object b) throws SQLException { ps.setTimestamp(i, (Timestamp) v); } },
  TIMESTAMP_CALENDAR { void apply(PreparedStatement ps, int i, Object v, Object a, Object b) throws SQLException { ps.setTimestamp(i, (Timestamp) v, (Calendar) a); } },
  OBJECT { void apply(PreparedStatement ps, int i, Object v, Object a, Object b) throws SQLException { ps.setObject(i, v); } },
  OBJECT_TYPE { void apply(PreparedStatement ps, int i, Object v, Object a, Object b) throws SQLException { ps.setObject(i, v, (Integer) a); } },
  OBJECT_TYPE_SCALE { void apply(PreparedStatement ps, int i, Object v, Object a, Object b) throws SQLException { ps.setObject(i, v, (Integer) a, (Integer) b); } },
  OBJECT_SQLTYPE { void apply(PreparedStatement ps, int i, Object v, Object a, Object b) throws SQLException { ps.setObject(i, v, (SQLType) a); } },
  OBJECT_SQLTYPE_SCALE { void apply(PreparedStatement ps, int i, Object v, Object a, Object b) throws SQLException { ps.setObject(i, v, (SQLType) a, (Integer) b); } },
  REF { void apply(PreparedStatement ps, int i, Object v, Object a, Object b) throws SQLException { ps.setRef(i, (Ref) v); } },
  BLOB { void apply(PreparedStatement ps, int i, Object v, Object a, Object b) throws SQLException { ps.setBlob(i, (Blob) v); } },
  CLOB { void apply(PreparedStatement ps, int i, Object v, Object a, Object b) throws SQLException { ps.setClob(i, (Clob) v); } },
  NCLOB { void apply(PreparedStatement ps, int i, Object v, Object a, Object b) throws SQLException { ps.setNClob(i, (NClob) v); } },
  ARRAY { void apply(PreparedStatement ps, int i, Object v, Object a, Object b) throws SQLException { ps.setArray(i, (Array) v); } },
  URL { void apply(PreparedStatement ps, int i, Object v, Object a, Object b) throws SQLException { ps.setURL(i, (URL) v); } },
  ROW_ID { void apply(PreparedStatement ps, int i, Object v, Object a, Object b) throws SQLException { ps.setRowId(i, (RowId) v); } },
  SQLXML { void apply(PreparedStatement ps, int i, Object v, Object a, Object b) throws SQLException { ps.setSQLXML(i, (SQLXML) v); } },
  ASCII_STREAM {
    void apply(PreparedStatement ps, int i, Object v, Object a, Object b) throws SQLException {
      InputStream in = bytes(v);
      if (a instanceof Integer n) { ps.setAsciiStream(i, in, n); } else if (a instanceof Long n) { ps.setAsciiStream(i, in, n); } else { ps.setAsciiStream(i, in); }
    }
  },
  UNICODE_STREAM { void apply(PreparedStatement ps, int i, Object v, Object a, Object b) throws SQLException { ps.setUnicodeStream(i, bytes(v), (Integer) a); } },
  BINARY_STREAM {
    void apply(PreparedStatement ps, int i, Object v, Object a, Object b) throws SQLException {
      InputStream in = bytes(v);
      if (a instanceof Integer n) { ps.setBinaryStream(i, in, n); } else if (a instanceof Long n) { ps.setBinaryStream(i, in, n); } else { ps.setBinaryStream(i, in); }
    }
  },
  BLOB_STREAM {
    void apply(PreparedStatement ps, int i, Object v, Object a, Object b) throws SQLException {
      if (a instanceof Long n) { ps.setBlob(i, bytes(v), n); } else { ps.setBlob(i, bytes(v)); }
    }
  },
  CHARACTER_STREAM {
    void apply(PreparedStatement ps, int i, Object v, Object a, Object b) throws SQLException {
      StringReader r = chars(v);
      if (a instanceof Integer n) { ps.setCharacterStream(i, r, n); } else if (a instanceof Long n) { ps.setCharacterStream(i, r, n); } else { ps.setCharacterStream(i, r); }
    }
  },
  NCHARACTER_STREAM {
    void apply(PreparedStatement ps, int i, Object v, Object a, Object b) throws SQLException {
      if (a instanceof Long n) { ps.setNCharacterStream(i, chars(v), n); } else { ps.setNCharacterStream(i, chars(v)); }
    }
  },
  CLOB_READER {
    void apply(PreparedStatement ps, int i, Object v, Object a, Object b) throws SQLException {
      if (a instanceof Long n) { ps.setClob(i, chars(v), n); } else { ps.setClob(i, chars(v)); }
    }
  },
  NCLOB_READER {
    void apply(PreparedStatement ps, int i, Object v, Object a, Object b) throws SQLException {
      if (a instanceof Long n) { ps.setNClob(i, chars(v), n); } else { ps.setNClob(i, chars(v)); }
    }
  };

  private final boolean primitive;

  Setter() {
    this(false);
  }

  Setter(boolean primitive) {
    this.primitive = primitive;
  }

  /** Calls this setter on {@code ps} at index {@code i}. */
  abstract void apply(PreparedStatement ps, int i, Object v, Object a, Object b) throws SQLException;

  /**
   * Whether this setter takes one primitive value and no extra argument, recorded unboxed as a
   * {@code long} ({@link #applyPrimitive}): an {@code int} or {@code long} bound on every statement
   * would otherwise box beyond the JDK's small-integer cache. {@code NULL}'s value is its SQL type.
   */
  boolean isPrimitive() {
    return primitive;
  }

  /** Calls this (primitive) setter on {@code ps} at index {@code i} with a value recorded as a {@code long}. */
  void applyPrimitive(PreparedStatement ps, int i, long v) throws SQLException {
    throw new IllegalStateException(name() + " is not a primitive setter");
  }

  private static InputStream bytes(Object v) {
    return v == null ? null : new ByteArrayInputStream((byte[]) v);
  }

  private static StringReader chars(Object v) {
    return v == null ? null : new StringReader((String) v);
  }
}
