package dev.cutover.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Reads an amount of bytes as PostgreSQL writes them: {@code 0}, {@code 8192}, {@code 512kB}, {@code 64MB}, {@code 1GB}. */
final class SizeConverter implements ITypeConverter<Long> {

  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|bytes|kb|mb|gb|tb)?");

  @Override
  public Long convert(String value) {
    Matcher m = SIZE.matcher(value.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new TypeConversionException("'" + value + "' is not a size (examples: 0, 512kB, 64MB, 1GB)");
    }
    int shift = switch (m.group(2) == null ? "b" : m.group(2)) {
      case "kb" -> 10;
      case "mb" -> 20;
      case "gb" -> 30;
      case "tb" -> 40;
      default -> 0;
    };
    long n = Long.parseLong(m.group(1));
    if (n > (Long.MAX_VALUE >> shift)) {
      throw new TypeConversionException("'" + value + "' is too large");
    }
    return n << shift;
  }
}
