package dev.cutover.control;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The tag at the end of the {@code application_name} of every connection a driver instance opens
 * (the application's and the runtime's own), so that {@code cutover advance} and {@code rollback}
 * can find an instance's server backends in {@code pg_stat_activity} and end them (the fence).
 *
 * <p>The tag is {@code cutover:} followed by 4 hex digits of the MD5 of the control schema's name
 * and 10 of the instance's name: short enough for PostgreSQL's 63-byte {@code application_name},
 * and the CLI computes the same from {@code instances.instance} with SQL's {@code md5()} ({@link
 * #sqlTag}). The schema part keeps one control schema's CLI off the instances of another in the
 * same database.
 */
public final class InstanceMarker {

  /** What every tag starts with. */
  public static final String PREFIX = "cutover:";
  /** The longest {@code application_name} PostgreSQL keeps (NAMEDATALEN - 1 bytes). */
  static final int MAX_APPLICATION_NAME = 63;
  private static final int SCHEMA_DIGITS = 4;
  private static final int INSTANCE_DIGITS = 10;
  /** A POSIX regular expression that captures the tag at the end of an {@code application_name}. */
  public static final String SQL_PATTERN = " (" + PREFIX + "[0-9a-f]{" + (SCHEMA_DIGITS + INSTANCE_DIGITS) + "})$";

  private InstanceMarker() {}

  /** The tag of instance {@code instance} of control schema {@code schema}. */
  public static String of(String schema, String instance) {
    return schemaPrefix(schema) + md5Hex(instance).substring(0, INSTANCE_DIGITS);
  }

  /** The start of every tag of control schema {@code schema} (for a {@code LIKE} with a {@code %} after it). */
  public static String schemaPrefix(String schema) {
    return PREFIX + md5Hex(schema).substring(0, SCHEMA_DIGITS);
  }

  /**
   * The SQL expression of the tag of the instance named by {@code instanceColumn}, for the schema
   * bound as a text parameter at its single {@code ?}.
   */
  public static String sqlTag(String instanceColumn) {
    return "'" + PREFIX + "' || left(md5(?), " + SCHEMA_DIGITS + ") || left(md5(" + instanceColumn + "), "
        + INSTANCE_DIGITS + ")";
  }

  /**
   * {@code base} followed by a space and {@code marker}, as PostgreSQL will keep it: characters
   * outside printable ASCII become {@code ?} (as the server does), and {@code base} is shortened so
   * that the marker survives the server's 63-byte limit.
   */
  public static String applicationName(String base, String marker) {
    StringBuilder name = new StringBuilder();
    int room = MAX_APPLICATION_NAME - marker.length() - 1;
    for (int i = 0; i < base.length() && name.length() < room; i++) {
      char ch = base.charAt(i);
      name.append(ch >= 32 && ch <= 126 ? ch : '?');
      if (Character.isHighSurrogate(ch) && i + 1 < base.length() && Character.isLowSurrogate(base.charAt(i + 1))) {
        i++; // one code point, one '?' (the server counts bytes; '?' never exceeds them)
      }
    }
    return name.append(' ').append(marker).toString();
  }

  private static String md5Hex(String s) {
    try {
      byte[] digest = MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8));
      StringBuilder hex = new StringBuilder(32);
      for (byte b : digest) {
        hex.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
      }
      return hex.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is required of every Java platform", e);
    }
  }
}
