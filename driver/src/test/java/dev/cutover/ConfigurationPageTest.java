package dev.cutover;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The configuration reference ({@code docs/configuration.md}) and {@link CutoverProperty} cannot
 * drift: the page's table has a row for every property, with its default and its description as
 * the enum has them, and no row for a property the enum lacks. On a mismatch the message shows the
 * table to paste.
 */
class ConfigurationPageTest {

  private static final Path PAGE = Path.of("..", "docs", "configuration.md");

  /** One row of the page's table: name, default, description (cells trimmed). */
  private record Row(String name, String defaultCell, String description) {}

  @Test
  void page_listsEveryPropertyWithItsDefaultAndDescription() throws IOException {
    Map<String, Row> rows = new LinkedHashMap<>();
    for (String line : Files.readAllLines(PAGE, StandardCharsets.UTF_8)) {
      if (line.startsWith("| `" + CutoverProperty.PREFIX)) {
        String[] cells = line.split("\\|", -1);
        assertThat(cells).as("a row of three cells: %s", line).hasSize(5);
        String name = cells[1].trim().replace("`", "");
        assertThat(rows.put(name, new Row(name, cells[2].trim(), cells[3].trim()))).as("%s twice", name).isNull();
      }
    }
    String expected = expectedTable();
    for (CutoverProperty p : CutoverProperty.values()) {
      Row row = rows.remove(p.propertyName());
      assertThat(row).as("no row for %s in %s; the table should read:%n%s", p.propertyName(), PAGE, expected).isNotNull();
      assertThat(row.description()).as("description of %s; the table should read:%n%s", p.propertyName(), expected)
          .isEqualTo(p.description());
      if (p.defaultValue() != null) {
        assertThat(row.defaultCell()).as("default of %s", p.propertyName()).isEqualTo("`" + p.defaultValue() + "`");
      } else {
        // Computed (see the enum): the page says how, in words.
        assertThat(row.defaultCell()).as("default of %s", p.propertyName()).isNotEmpty().doesNotStartWith("`");
      }
    }
    assertThat(rows.keySet()).as("rows for properties that CutoverProperty does not have").isEmpty();
  }

  /** The table as the enum has it (a computed default is left for the page to describe). */
  private static String expectedTable() {
    StringBuilder table = new StringBuilder("| property | default | meaning |\n|---|---|---|\n");
    for (CutoverProperty p : CutoverProperty.values()) {
      table.append("| `").append(p.propertyName()).append("` | ")
          .append(p.defaultValue() == null ? "(computed: say how)" : "`" + p.defaultValue() + "`").append(" | ")
          .append(p.description()).append(" |\n");
    }
    return table.toString();
  }
}
