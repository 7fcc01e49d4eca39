package dev.cutover.rewriter;

import dev.cutover.migration.ColumnMigration;
import dev.cutover.migration.MigrationSnapshot;
import dev.cutover.migration.Phase;
import java.util.List;

/** The users rename used across rewriter tests: public.users.full_name becomes display_name. */
final class Fixtures {

  static final String ID = "users-display-name";

  private Fixtures() {}

  static ColumnMigration rename(Phase phase) {
    return ColumnMigration.rename(ID, "public", "users", "full_name", "display_name", phase, phase.ordinal() + 1);
  }

  static MigrationSnapshot snapshot(Phase phase) {
    return new MigrationSnapshot(phase.ordinal() + 1, List.of(rename(phase)));
  }

  /** The catalog as it is in {@code phase}: the new column is added at the end, the old one dropped at completed. */
  static MapCatalog catalog(Phase phase) {
    MapCatalog catalog = new MapCatalog()
        .with("public", "orders", "id", "user_id", "total")
        .with("public", "accounts", "id", "owner", "full_name");
    return switch (phase) {
      case PLANNED -> catalog.with("public", "users", "id", "full_name", "email");
      case DUAL_WRITE, READ_NEW, NEW_ONLY -> catalog.with("public", "users", "id", "full_name", "email", "display_name");
      case COMPLETED -> catalog.with("public", "users", "id", "email", "display_name");
    };
  }

  static Rewrite rewrite(String sql, Phase phase) throws RewriteRefusedException {
    return new StatementRewriter().rewrite(sql, snapshot(phase), catalog(phase));
  }
}
