package dev.cutover.operator;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The copy of one index of a partitioned table onto the new column. PostgreSQL cannot build an
 * index {@code CONCURRENTLY} on a partitioned table, so the copy is put together the way its
 * manual describes: the index is created {@code ON ONLY} each partitioned table (the root and every
 * sub-partitioned partition: an empty, invalid index, a catalog change under a short lock), each
 * leaf partition's index is built {@code CONCURRENTLY} (writes go on), and each is attached to its
 * parent's with {@code ALTER INDEX ... ATTACH PARTITION}, bottom-up; a partitioned index becomes
 * valid once every partition's index is attached.
 *
 * <p>The copy follows the source index's own tree (its partitions' indexes, through
 * {@code pg_inherits}): each copy is the rewrite of the matching source index, named after it with
 * the usual suffix. Every step is idempotent, so an advance that stopped half-way is run again.
 *
 * @param nodes the source tree's indexes, parents before their partitions (the root first)
 */
record PartitionIndexCopy(List<Node> nodes) {

  /**
   * One index of the tree.
   *
   * @param copy the copy of this level's source index ({@code createSql}: {@code CREATE INDEX IF NOT
   *     EXISTS ... ON ONLY} for a partitioned table, {@code CREATE INDEX CONCURRENTLY} for a leaf)
   * @param tableOid the table it indexes
   * @param partitioned whether that table is partitioned
   * @param parent the copy's parent in the tree ({@code null} for the root)
   */
  record Node(RenameDdl.IndexCopy copy, long tableOid, boolean partitioned, RenameDdl.IndexCopy parent) {
    /** {@code ALTER INDEX parent ATTACH PARTITION copy} ({@code null} for the root). */
    String attachSql() {
      return parent == null ? null : "ALTER INDEX " + Identifiers.quote(parent.schema(), parent.copyName())
          + " ATTACH PARTITION " + Identifiers.quote(copy.schema(), copy.copyName());
    }
  }

  /** The copy of {@code root} (an index copy of a partitioned table), with its partitions' copies. */
  static PartitionIndexCopy of(Connection c, RenameDdl.IndexCopy root, String oldName, String newName)
      throws SQLException {
    List<Node> nodes = new ArrayList<>();
    nodes.add(new Node(onOnly(root), root.source().tableOid(), true, null));
    List<Long> indexOids = new ArrayList<>();
    indexOids.add(oid(c, root.source()));
    for (int i = 0; i < nodes.size(); i++) {
      try (PreparedStatement ps = c.prepareStatement("SELECT n.nspname, ic.relname, pg_get_indexdef(x.indexrelid),"
          + " x.indisvalid, x.indrelid, tc.relkind, x.indexrelid FROM pg_inherits h"
          + " JOIN pg_index x ON x.indexrelid = h.inhrelid JOIN pg_class ic ON ic.oid = x.indexrelid"
          + " JOIN pg_namespace n ON n.oid = ic.relnamespace JOIN pg_class tc ON tc.oid = x.indrelid"
          + " WHERE h.inhparent = ? ORDER BY n.nspname, ic.relname")) {
        ps.setLong(1, indexOids.get(i));
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            TableCatalog.Index source = new TableCatalog.Index(rs.getString(1), rs.getString(2), rs.getString(3),
                rs.getBoolean(4), rs.getLong(5));
            String copyName = Identifiers.withSuffix(source.name(), RenameDdl.INDEX_SUFFIX);
            RenameDdl.IndexCopy copy = new RenameDdl.IndexCopy(source, source.schema(), copyName,
                RenameDdl.rewriteIndexDefinition(source.definition(), oldName, newName, copyName));
            boolean partitioned = "p".equals(rs.getString(6));
            nodes.add(new Node(partitioned ? onOnly(copy) : copy, source.tableOid(), partitioned, nodes.get(i).copy()));
            indexOids.add(rs.getLong(7));
          }
        }
      }
    }
    return new PartitionIndexCopy(List.copyOf(nodes));
  }

  private static long oid(Connection c, TableCatalog.Index index) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?)::oid")) {
      ps.setString(1, Identifiers.quote(index.schema(), index.name()));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** A partitioned table's copy: {@code CREATE [UNIQUE] INDEX IF NOT EXISTS name ON ONLY table ...}. */
  private static RenameDdl.IndexCopy onOnly(RenameDdl.IndexCopy copy) {
    String sql = copy.createSql().replaceFirst("^CREATE (UNIQUE )?INDEX CONCURRENTLY ", "CREATE $1INDEX IF NOT EXISTS ");
    int on = sql.indexOf(" ON ");
    if (on > 0 && !sql.startsWith(" ON ONLY ", on)) {
      sql = sql.substring(0, on) + " ON ONLY " + sql.substring(on + " ON ".length());
    }
    return new RenameDdl.IndexCopy(copy.source(), copy.schema(), copy.copyName(), sql);
  }

  /** Every statement, in the order {@link #run} sends them (for the dry run). */
  List<String> sql() {
    List<String> sql = new ArrayList<>();
    for (Node n : nodes) {
      if (n.partitioned()) {
        sql.add(n.copy().createSql());
      }
    }
    for (Node n : nodes) {
      if (!n.partitioned()) {
        sql.add(n.copy().createSql());
      }
    }
    for (int i = nodes.size() - 1; i > 0; i--) {
      sql.add(nodes.get(i).attachSql());
    }
    return sql;
  }

  /**
   * Builds the copy (idempotent): the partitioned levels {@code ON ONLY}, each leaf's index
   * {@code CONCURRENTLY} (watched as any index copy, with the same wait budget), the attachments
   * bottom-up; fails unless the root copy ends valid.
   */
  void run(Connection c, ConnectionSettings settings, DdlRunner ddl, Duration waitBudget, PrintWriter out)
      throws SQLException {
    for (Node n : nodes) {
      if (n.partitioned() && !present(c, n, out)) {
        out.printf("%s;%n", n.copy().createSql());
        out.flush();
        ddl.inTransaction(c, n.copy().createSql());
      }
    }
    for (Node n : nodes) {
      if (n.partitioned()) {
        continue;
      }
      Optional<TableCatalog.Index> existing = TableCatalog.findIndex(c, n.copy().schema(), n.copy().copyName());
      if (existing.isPresent()) {
        checkOwner(n, existing.get());
        if (existing.get().valid()) {
          out.printf("index %s exists already%n", Identifiers.quote(n.copy().copyName()));
          continue;
        }
        out.printf("%s; -- an invalid leftover of an earlier failed build%n", n.copy().dropSql());
        ddl.outsideTransaction(c, n.copy().dropSql());
      }
      out.printf("%s;%n", n.copy().createSql());
      out.flush();
      new IndexCopyRunner(settings, ddl, waitBudget, out).run(c, n.copy());
    }
    for (int i = nodes.size() - 1; i > 0; i--) {
      Node n = nodes.get(i);
      if (!attached(c, n)) {
        out.printf("%s;%n", n.attachSql());
        out.flush();
        ddl.inTransaction(c, n.attachSql());
      }
    }
    Node root = nodes.get(0);
    Optional<TableCatalog.Index> built = TableCatalog.findIndex(c, root.copy().schema(), root.copy().copyName());
    if (built.isEmpty() || !built.get().valid()) {
      throw new OperatorException("the index copy " + Identifiers.quote(root.copy().copyName()) + " of the partitioned"
          + " table is not valid after every partition's index was attached: a partition has no index of "
          + Identifiers.quote(root.copy().source().name()) + " to copy (is the source index itself valid?); the phase"
          + " did not change. Check pg_index.indisvalid of the source and its partitions' indexes, then run the"
          + " command again");
    }
  }

  private static boolean present(Connection c, Node n, PrintWriter out) throws SQLException {
    Optional<TableCatalog.Index> existing = TableCatalog.findIndex(c, n.copy().schema(), n.copy().copyName());
    if (existing.isEmpty()) {
      return false;
    }
    checkOwner(n, existing.get());
    out.printf("index %s exists already%n", Identifiers.quote(n.copy().copyName()));
    return true;
  }

  private static void checkOwner(Node n, TableCatalog.Index existing) {
    if (existing.tableOid() != n.tableOid()) {
      throw new OperatorException("cannot copy index " + n.copy().source().name() + ": the name "
          + n.copy().copyName() + " is taken by another relation");
    }
  }

  /** Whether {@code n}'s copy is attached to its parent's already. */
  private static boolean attached(Connection c, Node n) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT EXISTS (SELECT 1 FROM pg_inherits"
        + " WHERE inhrelid = to_regclass(?) AND inhparent = to_regclass(?))")) {
      ps.setString(1, Identifiers.quote(n.copy().schema(), n.copy().copyName()));
      ps.setString(2, Identifiers.quote(n.parent().schema(), n.parent().copyName()));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }
}
