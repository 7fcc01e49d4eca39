package dev.cutover.rewriter.resolve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.migration.ColumnMigration;
import dev.cutover.migration.Phase;
import dev.cutover.rewriter.TableInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The application's column order of a table with two migrations of adjacent columns
 * ({@code id, a, b, email}; {@code a} becomes {@code a2}, {@code b} becomes {@code b2}), whichever
 * completes first and whichever new column was added first. The differential test of the same
 * shape is {@code AdjacentMigrationsDifferentialTest}.
 */
class AppColumnsTest {

  private static ColumnMigration a(Phase phase) {
    return ColumnMigration.rename("a", "public", "t", "a", "a2", phase, 1).withOldColumnAfter("id");
  }

  private static ColumnMigration b(Phase phase) {
    return ColumnMigration.rename("b", "public", "t", "b", "b2", phase, 1).withOldColumnAfter("a");
  }

  private static List<String> names(List<String> physical, ColumnMigration... migrations) {
    List<AppColumns.AppColumn> columns = AppColumns.of(new TableInfo("public", "t", physical), List.of(migrations));
    assertThat(columns).isNotNull();
    return columns.stream().map(AppColumns.AppColumn::name).toList();
  }

  @Test
  void of_bothAdjacentCompleted_keepsOldOrder() {
    assertThat(names(List.of("id", "email", "a2", "b2"), a(Phase.COMPLETED), b(Phase.COMPLETED)))
        .containsExactly("id", "a", "b", "email");
    // The new columns added in the other order, the migrations listed in the other order.
    assertThat(names(List.of("id", "email", "b2", "a2"), b(Phase.COMPLETED), a(Phase.COMPLETED)))
        .containsExactly("id", "a", "b", "email");
  }

  @Test
  void of_oneOfTwoAdjacentCompleted_keepsOldOrder() {
    assertThat(names(List.of("id", "b", "email", "a2", "b2"), a(Phase.COMPLETED), b(Phase.NEW_ONLY)))
        .containsExactly("id", "a", "b", "email");
    assertThat(names(List.of("id", "a", "email", "a2", "b2"), a(Phase.NEW_ONLY), b(Phase.COMPLETED)))
        .containsExactly("id", "a", "b", "email");
  }

  @Test
  void of_secondPlannedAfterFirstCompleted_goesAfterIt() {
    // b was planned once a was gone: it recorded "after id", as a did.
    ColumnMigration late = ColumnMigration.rename("b", "public", "t", "b", "b2", Phase.COMPLETED, 1)
        .withOldColumnAfter("id");
    assertThat(names(List.of("id", "email", "a2", "b2"), a(Phase.COMPLETED), late))
        .containsExactly("id", "a", "b", "email");
  }

  @Test
  void of_firstColumnsBothCompleted_keepsOldOrder() {
    ColumnMigration first = ColumnMigration.rename("a", "public", "t", "a", "a2", Phase.COMPLETED, 1)
        .withOldColumnAfter("");
    assertThat(names(List.of("id", "email", "b2", "a2"), b(Phase.COMPLETED), first))
        .containsExactly("a", "b", "id", "email");
  }
}
