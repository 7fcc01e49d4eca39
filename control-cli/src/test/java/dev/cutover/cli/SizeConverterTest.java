package dev.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

/** {@code --max-replica-lag} sizes, written as PostgreSQL writes them. */
class SizeConverterTest {

  private final SizeConverter converter = new SizeConverter();

  @Test
  void convert_unitsAreBinaryAndCaseInsensitive() {
    assertThat(converter.convert("0")).isZero();
    assertThat(converter.convert("8192")).isEqualTo(8192L);
    assertThat(converter.convert("512kB")).isEqualTo(512L * 1024);
    assertThat(converter.convert("64MB")).isEqualTo(64L << 20);
    assertThat(converter.convert("1 gb")).isEqualTo(1L << 30);
    assertThat(converter.convert("2TB")).isEqualTo(2L << 40);
  }

  @Test
  void convert_notASize_isRefusedWithExamples() {
    assertThatThrownBy(() -> converter.convert("-1MB")).isInstanceOf(TypeConversionException.class)
        .hasMessageContaining("64MB");
    assertThatThrownBy(() -> converter.convert("10s")).isInstanceOf(TypeConversionException.class);
    assertThatThrownBy(() -> converter.convert("99999999999TB")).isInstanceOf(TypeConversionException.class)
        .hasMessageContaining("too large");
  }
}
