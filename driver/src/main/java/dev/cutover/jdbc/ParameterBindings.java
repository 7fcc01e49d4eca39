package dev.cutover.jdbc;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Arrays;

/**
 * The parameters an application bound, by ITS (1-based) indexes. Applied to the pgjdbc statement
 * through a parameter map when the rewrite moved or duplicated parameters, and replayed when a
 * phase change re-prepares the statement.
 *
 * <p>Implementation notes: every prepared statement that binds a parameter needs one, on the hot
 * path too (a statement bound before a phase change and executed after it is replayed), so it is
 * built to allocate nothing once in use: each index's setter as a byte (its ordinal), primitive
 * values ({@link Setter#isPrimitive()}) in a {@code long[]} instead of boxed, other values in an
 * {@code Object[]}, and the two extra arguments a few setters take (a length, a calendar, a scale)
 * in a fourth array allocated only when one is used; and a closed statement hands its bindings back
 * to its connection for the next statement ({@link ProxyConnection#takeBindings()}), so a connection
 * that prepares, binds and closes statements one after the other reuses the same arrays. Recycled
 * arrays live in the old generation, where G1 makes every store of a reference a card check behind
 * a memory fence: that is why the setters are bytes, not references, and why a primitive binding
 * stores no reference at all.
 */
final class ParameterBindings {

  private static final int INITIAL_PARAMETERS = 4;
  /** Bindings that grew beyond this many parameters are not recycled (their arrays would be kept). */
  static final int MAX_RECYCLED_PARAMETERS = 64;
  private static final Setter[] SETTERS = Setter.values();

  // Indexed by the application's index (0 unused); allocated together, at the same length.
  private byte[] kinds; // [i] 1 + the ordinal of index i's Setter, 0 when unset
  private Object[] values; // [i] the value of index i when its setter is not primitive
  private long[] primitives; // [i] the value of index i when its setter is primitive
  private Object[] extras; // [2i] and [2i + 1]: the setter's extra arguments, or null
  private int size; // highest index set

  /** Records a binding of application index {@code index}. */
  void set(int index, Setter kind, Object value, Object a, Object b) {
    if (index < 1) {
      return; // pgjdbc rejects it when the binding is applied
    }
    ensureCapacity(index);
    kinds[index] = (byte) (kind.ordinal() + 1);
    values[index] = value;
    setExtras(index, a, b);
    if (index > size) {
      size = index;
    }
  }

  /** Records a binding of application index {@code index} by a primitive setter, without boxing. */
  void setPrimitive(int index, Setter kind, long value) {
    if (index < 1) {
      return;
    }
    ensureCapacity(index);
    kinds[index] = (byte) (kind.ordinal() + 1);
    primitives[index] = value;
    if (values[index] != null) {
      values[index] = null; // drop the application's earlier value
    }
    setExtras(index, null, null);
    if (index > size) {
      size = index;
    }
  }

  private void setExtras(int index, Object a, Object b) {
    if (a != null || b != null) {
      if (extras == null) {
        extras = new Object[2 * kinds.length];
      } else if (extras.length < 2 * kinds.length) {
        extras = Arrays.copyOf(extras, 2 * kinds.length);
      }
      extras[2 * index] = a;
      extras[2 * index + 1] = b;
    } else if (extras != null && 2 * index < extras.length) {
      extras[2 * index] = null;
      extras[2 * index + 1] = null;
    }
  }

  private void ensureCapacity(int index) {
    if (kinds == null) {
      int length = Math.max(index + 1, INITIAL_PARAMETERS + 1);
      kinds = new byte[length];
      values = new Object[length];
      primitives = new long[length];
    } else if (index >= kinds.length) {
      int length = Math.max(index + 1, kinds.length * 2);
      kinds = Arrays.copyOf(kinds, length);
      values = Arrays.copyOf(values, length);
      primitives = Arrays.copyOf(primitives, length);
    }
  }

  /** Applies application index {@code appIndex}'s binding at {@code targetIndex} of {@code ps}. */
  void applyOne(PreparedStatement ps, int targetIndex, int appIndex) throws SQLException {
    if (appIndex < 1 || appIndex > size || kinds[appIndex] == 0) {
      return;
    }
    Setter kind = SETTERS[kinds[appIndex] - 1];
    if (kind.isPrimitive()) {
      kind.applyPrimitive(ps, targetIndex, primitives[appIndex]);
      return;
    }
    Object a = null;
    Object b = null;
    if (extras != null && 2 * appIndex < extras.length) {
      a = extras[2 * appIndex];
      b = extras[2 * appIndex + 1];
    }
    kind.apply(ps, targetIndex, values[appIndex], a, b);
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

  /** Forgets every binding (and drops the references to the application's values). */
  void clear() {
    if (kinds != null) {
      int end = Math.min(kinds.length, size + 1);
      Arrays.fill(kinds, 0, end, (byte) 0);
      Arrays.fill(values, 0, end, null);
    }
    if (extras != null) {
      Arrays.fill(extras, 0, Math.min(extras.length, 2 * (size + 1)), null);
    }
    size = 0;
  }

  /** Whether these bindings are small enough to be handed to another statement once cleared. */
  boolean recyclable() {
    return kinds == null || kinds.length <= MAX_RECYCLED_PARAMETERS + 1;
  }

  /** An independent copy (one batch row). */
  ParameterBindings copy() {
    ParameterBindings c = new ParameterBindings();
    if (kinds != null) {
      c.kinds = Arrays.copyOf(kinds, size + 1);
      c.values = Arrays.copyOf(values, size + 1);
      c.primitives = Arrays.copyOf(primitives, size + 1);
    }
    if (extras != null) {
      c.extras = Arrays.copyOf(extras, Math.min(extras.length, 2 * (size + 1)));
    }
    c.size = size;
    return c;
  }
}
