package dev.cutover.jdbc;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Arrays;

/**
 * The parameters an application bound, by ITS (1-based) indexes: parallel arrays, grown on demand,
 * so recording costs two array stores. Applied to the pgjdbc statement through a parameter map
 * when the rewrite moved or duplicated parameters.
 */
final class ParameterBindings {

  private Setter[] kinds;
  private Object[] values;
  private Object[] extraA;
  private Object[] extraB;
  private int size; // highest index set

  ParameterBindings() {
    this(8);
  }

  private ParameterBindings(int capacity) {
    kinds = new Setter[capacity + 1];
    values = new Object[capacity + 1];
    extraA = new Object[capacity + 1];
    extraB = new Object[capacity + 1];
  }

  /** Records a binding of application index {@code index}. */
  void set(int index, Setter kind, Object value, Object a, Object b) {
    if (index < 1) {
      return; // pgjdbc rejects it when the binding is applied
    }
    if (index >= kinds.length) {
      int capacity = Math.max(index + 1, kinds.length * 2);
      kinds = Arrays.copyOf(kinds, capacity);
      values = Arrays.copyOf(values, capacity);
      extraA = Arrays.copyOf(extraA, capacity);
      extraB = Arrays.copyOf(extraB, capacity);
    }
    kinds[index] = kind;
    values[index] = value;
    extraA[index] = a;
    extraB[index] = b;
    size = Math.max(size, index);
  }

  /** Applies application index {@code appIndex}'s binding at {@code targetIndex} of {@code ps}. */
  void applyOne(PreparedStatement ps, int targetIndex, int appIndex) throws SQLException {
    if (appIndex >= 1 && appIndex <= size && kinds[appIndex] != null) {
      kinds[appIndex].apply(ps, targetIndex, values[appIndex], extraA[appIndex], extraB[appIndex]);
    }
  }

  /** Applies every binding to {@code ps}, through {@code parameterMap} unless it is null. */
  void applyAll(PreparedStatement ps, int[] parameterMap) throws SQLException {
    if (parameterMap == null) {
      for (int i = 1; i <= size; i++) {
        applyOne(ps, i, i);
      }
    } else {
      for (int j = 0; j < parameterMap.length; j++) {
        applyOne(ps, j + 1, parameterMap[j]);
      }
    }
  }

  /** Forgets every binding. */
  void clear() {
    Arrays.fill(kinds, 0, size + 1, null);
    Arrays.fill(values, 0, size + 1, null);
    Arrays.fill(extraA, 0, size + 1, null);
    Arrays.fill(extraB, 0, size + 1, null);
    size = 0;
  }

  /** An independent copy (one batch row). */
  ParameterBindings copy() {
    ParameterBindings c = new ParameterBindings(size);
    System.arraycopy(kinds, 0, c.kinds, 0, size + 1);
    System.arraycopy(values, 0, c.values, 0, size + 1);
    System.arraycopy(extraA, 0, c.extraA, 0, size + 1);
    System.arraycopy(extraB, 0, c.extraB, 0, size + 1);
    c.size = size;
    return c;
  }
}
