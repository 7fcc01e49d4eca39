package dev.cutover.cli;

import dev.cutover.migration.Phase;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Reads a phase name ({@code dual_write}, {@code read-new}, ...). */
final class PhaseConverter implements ITypeConverter<Phase> {
  @Override
  public Phase convert(String value) {
    try {
      return Phase.parse(value);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }
}
