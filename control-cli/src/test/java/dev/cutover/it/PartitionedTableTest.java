package dev.cutover.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.cutover.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A live migration of a declaratively partitioned table from {@code planned} to {@code completed}
 * (through new_only, a rollback with its refill, and forward again) while writers update their own
 * rows through the Cutover driver, half of the time naming the partition directly, through the old
 * and the new name, and an inserter adds rows; a ledger keeps what they committed. At the end no
 * statement failed, every row holds what was last committed, and every index (the copies built
 * partition by partition and attached) is valid.
 *
 * <p>Shapes: {@code pk} (LIST partitions, composite primary key), {@code keyless} (no key at all:
 * the walks go by each partition's {@code ctid}), {@code sub} (a LIST partition sub-partitioned by
 * HASH, with a unique index across the levels). The column carries a NOT NULL and a CHECK
 * constraint, which a partitioned table takes NOT VALID and then validates.
 */
class PartitionedTableTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @TempDir Path dir;

  private static final int ROWS = 3000;
  private static final int WRITERS = 3;

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"rename, pk", "rename, keyless", "rename, sub", "type, pk", "type, keyless", "type, sub", "inplace, sub"})
  @Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void migration_ofPartitionedTable_fromPlannedToCompleted_underWrites_everyRowAsLastCommitted(String kind, String shape)
      throws Exception {
    boolean rename = kind.equals("rename");
    boolean inPlace = kind.equals("inplace");
    String table = "p_" + kind + "_" + shape;
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE " + table + " (id int NOT NULL, tenant int NOT NULL, amount int NOT NULL"
          + " CHECK (amount >= 0)" + (shape.equals("keyless") ? "" : ", PRIMARY KEY (id, tenant)")
          + ") PARTITION BY LIST (tenant)");
      for (int p = 0; p < 3; p++) {
        boolean sub = shape.equals("sub") && p == 0;
        st.execute("CREATE TABLE " + table + "_" + p + " PARTITION OF " + table + " FOR VALUES IN (" + p + ")"
            + (sub ? " PARTITION BY HASH (id)" : ""));
        if (sub) {
          for (int h = 0; h < 2; h++) {
            st.execute("CREATE TABLE " + table + "_" + p + "_" + h + " PARTITION OF " + table + "_" + p
                + " FOR VALUES WITH (MODULUS 2, REMAINDER " + h + ")");
          }
        }
      }
      st.execute("CREATE INDEX ON " + table + " (amount)");
      if (shape.equals("sub")) {
        st.execute("CREATE UNIQUE INDEX ON " + table + " (amount, id, tenant)");
      }
      st.execute("INSERT INTO " + table + " SELECT g, g % 3, g FROM generate_series(1, " + ROWS + ") g");
    }
    String id = "m-" + kind + "-" + shape;
    Path file = dir.resolve(id + ".yaml");
    String newName = rename ? "total" : inPlace ? "amount" : "amount_cents";
    Files.writeString(file, "id: " + id + "\ntable: " + table + "\n" + (rename
        ? "rename:\n  from: amount\n  to: total\n"
        : inPlace ? "changeType:\n  column: amount\n  type: bigint\n  up: \"amount::bigint\"\n  down: \"amount::int\"\n"
        : "changeType:\n  column: amount\n  to: amount_cents\n  type: bigint\n  up: \"amount * 100\"\n"
            + "  down: \"(amount_cents / 100)::int\"\n"));
    Differential.cli(db, "init");
    Differential.cli(db, "plan", file.toString());

    // id -> the value last committed, in the old column's units
    Map<Integer, Integer> seed = new HashMap<>();
    for (int i = 1; i <= ROWS; i++) {
      seed.put(i, i);
    }
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(db.cutoverUrl() + "?cutover.refreshMillis=100&cutover.instance=app-" + kind + shape);
    config.setUsername(db.user());
    config.setPassword(db.password());
    config.setMaximumPoolSize(WRITERS + 1);
    config.setExceptionOverrideClassName("dev.cutover.HikariRefusalOverride");
    AtomicLong direct = new AtomicLong();
    AtomicInteger nextId = new AtomicInteger(ROWS);
    WriterLedger<Integer> writers = new WriterLedger<>(seed);
    try (HikariDataSource app = new HikariDataSource(config)) {
      for (int w = 0; w < WRITERS; w++) {
        int slice = w;
        writers.writer("writer-" + w, n -> {
          ThreadLocalRandom random = ThreadLocalRandom.current();
          // Own rows only (id % WRITERS == slice): the ledger's last value per row is then exact.
          int row = 1 + slice + WRITERS * random.nextInt(ROWS / WRITERS);
          boolean useNew = n % 2 == 0;
          boolean partition = n % 4 < 2; // the partition by name, or the partitioned table
          int value = random.nextInt(1_000_000);
          String column = useNew ? newName : "amount";
          int written = !rename && !inPlace && useNew ? value * 100 : value;
          String target = partition ? table + "_" + (row % 3) : table;
          try (Connection c = app.getConnection(); PreparedStatement ps = c.prepareStatement(
              "UPDATE " + target + " SET " + column + " = ? WHERE id = ? AND tenant = ?")) {
            ps.setInt(1, written);
            ps.setInt(2, row);
            ps.setInt(3, row % 3);
            assertThat(ps.executeUpdate()).isEqualTo(1);
            writers.committed(row, value);
            if (partition) {
              direct.incrementAndGet();
            }
          }
        });
      }
      writers.writer("inserter", n -> {
        int row = nextId.incrementAndGet();
        boolean useNew = n % 2 == 0;
        boolean partition = n % 3 == 0;
        String column = useNew ? newName : "amount";
        String target = partition ? table + "_" + (row % 3) : table;
        try (Connection c = app.getConnection(); PreparedStatement ps = c.prepareStatement(
            "INSERT INTO " + target + " (id, tenant, " + column + ") VALUES (?, ?, ?)")) {
          ps.setInt(1, row);
          ps.setInt(2, row % 3);
          ps.setInt(3, !rename && !inPlace && useNew ? row * 100 : row);
          ps.executeUpdate();
          writers.committed(row, row);
        }
        Thread.sleep(2);
      });
      writers.start();
      try {
        Thread.sleep(300);
        Differential.cli(db, "advance", id);
        Differential.cli(db, "backfill", id, "--batch-size", "100");
        Differential.cli(db, "verify", id);
        Differential.cli(db, "advance", id);
        Thread.sleep(200);
        Differential.cli(db, "advance", id);
        Thread.sleep(200);
        // Back to read_new: the refill walks each partition by its own key.
        Differential.cli(db, "rollback", id, "--batch-size", "100");
        Thread.sleep(200);
        Differential.cli(db, "advance", id);
        Differential.cli(db, "advance", id, "--force");
        Thread.sleep(300);
      } finally {
        writers.close();
      }
    }
    assertThat(direct.get()).as("statements naming a partition").isGreaterThan(10);
    Map<Integer, Integer> actual = new HashMap<>();
    try (Connection c = db.plainConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT id, " + (kind.equals("type") ? "amount_cents / 100" : newName)
            + " FROM " + table)) {
      while (rs.next()) {
        actual.put(rs.getInt(1), rs.getInt(2));
      }
    }
    writers.assertEveryRowAsLastCommitted(actual, 100);
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      try (ResultSet rs = st.executeQuery("SELECT count(*) FILTER (WHERE NOT x.indisvalid), count(*) FROM pg_index x"
          + " JOIN pg_class i ON i.oid = x.indexrelid WHERE i.relname LIKE '" + table + "%'")) {
        rs.next();
        assertThat(rs.getInt(1)).as("invalid indexes").isZero();
        // amount's index on the root and on each partitioned and leaf table (and the unique one in "sub")
        assertThat(rs.getInt(2)).as("indexes").isGreaterThanOrEqualTo(shape.equals("keyless") ? 4 : 8);
      }
      if (inPlace) {
        try (ResultSet rs = st.executeQuery("SELECT string_agg(i.relname, ', ') FROM pg_index x JOIN pg_class i"
            + " ON i.oid = x.indexrelid WHERE i.relname LIKE '" + table + "%cutover%'")) {
          rs.next();
          assertThat(rs.getString(1)).as("index copies not renamed into place").isNull();
        }
        try (ResultSet rs = st.executeQuery("SELECT format_type(atttypid, atttypmod) FROM pg_attribute"
            + " WHERE attrelid = '" + table + "'::regclass AND attname = 'amount'")) {
          rs.next();
          assertThat(rs.getString(1)).isEqualTo("bigint");
        }
      }
      try (ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_attribute a JOIN pg_class k ON k.oid = a.attrelid"
          + " WHERE k.relname LIKE '" + table + "%' AND k.relkind IN ('r', 'p') AND a.attname = '" + newName
          + "' AND a.attnotnull AND NOT a.attisdropped")) {
        rs.next();
        // the NOT NULL reached the new column of every table of the tree
        assertThat(rs.getInt(1)).as("NOT NULL new columns").isEqualTo(shape.equals("sub") ? 6 : 4);
      }
      try (ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_constraint co JOIN pg_class k ON k.oid = co.conrelid"
          + " WHERE k.relname LIKE '" + table + "%' AND co.contype = 'c' AND co.convalidated"
          + " AND pg_get_constraintdef(co.oid) LIKE '%" + newName + "%'")) {
        rs.next();
        // the CHECK copy, validated, on every table of the tree
        assertThat(rs.getInt(1)).as("validated CHECK copies").isEqualTo(shape.equals("sub") ? 6 : 4);
      }
    }
  }
}
