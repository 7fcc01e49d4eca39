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
 * built to allocate nothing once in use: one array interleaving setter and value, primitive values
 * ({@link Setter#isPrimitive()}) in a {@code long[]} instead of boxed, the two extra arguments a few
 * setters take (a length, a calendar, a scale) in a third array allocated only when one is used;
 * and a closed statement hands its bindings back to its connection for the next statement ({@link
 * ProxyConnection#takeBindings()}), so a connection that prepares, binds and closes statements one
 * after the other reuses the same arrays.
 */
final class ParameterBindings {

  private static final int INITIAL_PARAMETERS = 4;
  /** Bindings that grew beyond this many parameters are not recycled (their arrays would be kept). */
  static final int MAX_RECYCLED_PARAMETERS = 64;

  private Object[] slots; // [2i] the Setter of index i, [2i + 1] its value (unused for a primitive setter)
  private long[] primitives; // [i] the value of index i when its setter is primitive
  private Object[] extras; // [2i] and [2i + 1]: the setter's extra arguments, or null
  private int size; // highest index set

  /** Records a binding of application index {@code index}. */
  void set(int index, Setter kind, Object value, Object a, Object b) {
    if (index < 1) {
      return; // pgjdbc rejects it when the binding is applied
    }
    ensureSlots(index);
    slots[2 * index] = kind;
    slots[2 * index + 1] = value;
    if (a != null || b != null) {
      if (extras == null) {
        extras = new Object[slots.length];
      } else if (extras.length < slots.length) {
        extras = Arrays.copyOf(extras, slots.length);
      }
      extras[2 * index] = a;
      extras[2 * index + 1] = b;
    } else if (extras != null && 2 * index < extras.length) {
      extras[2 * index] = null;
      extras[2 * index + 1] = null;
    }
    size = Math.max(size, index);
  }

  /** Records a binding of application index {@code index} by a primitive setter, without boxing. */
  void setPrimitive(int index, Setter kind, long value) {
    if (index < 1) {
      return;
    }
    set(index, kind, null, null, null);
    if (primitives == null) {
      primitives = new long[slots.length / 2];
    } else if (primitives.length < slots.length / 2) {
      primitives = Arrays.copyOf(primitives, slots.length / 2);
    }
    primitives[index] = value;
  }

  private void ensureSlots(int index) {
    int needed = 2 * (index + 1);
    if (slots == null) {
      slots = new Object[Math.max(needed, 2 * (INITIAL_PARAMETERS + 1))];
    } else if (needed > slots.length) {
      slots = Arrays.copyOf(slots, Math.max(needed, slots.length * 2));
    }
  }

  /** Applies application index {@code appIndex}'s binding at {@code targetIndex} of {@code ps}. */
  void applyOne(PreparedStatement ps, int targetIndex, int appIndex) throws SQLException {
    if (appIndex < 1 || appIndex > size || slots[2 * appIndex] == null) {
      return;
    }
    Setter kind = (Setter) slots[2 * appIndex];
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
    kind.apply(ps, targetIndex, slots[2 * appIndex + 1], a, b);
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
    if (slots != null) {
      Arrays.fill(slots, 0, Math.min(slots.length, 2 * (size + 1)), null);
    }
    if (extras != null) {
      Arrays.fill(extras, 0, Math.min(extras.length, 2 * (size + 1)), null);
    }
    size = 0;
  }

  /** Whether these bindings are small enough to be handed to another statement once cleared. */
  boolean recyclable() {
    return slots == null || slots.length <= 2 * (MAX_RECYCLED_PARAMETERS + 1);
  }

  /** An independent copy (one batch row). */
  ParameterBindings copy() {
    ParameterBindings c = new ParameterBindings();
    if (slots != null) {
      c.slots = Arrays.copyOf(slots, 2 * (size + 1));
    }
    if (primitives != null) {
      c.primitives = Arrays.copyOf(primitives, Math.min(primitives.length, size + 1));
    }
    if (extras != null) {
      c.extras = Arrays.copyOf(extras, Math.min(extras.length, 2 * (size + 1)));
    }
    c.size = size;
    return c;
  }
}
