package dev.cutover.operator;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

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
 * the usual suffix. Every statement is skipped when its effect is there, so an advance that stopped
 * half-way is run again.
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

  /** Every statement, in the order {@link #actions} runs them. */
  List<String> sql() {
    return actions().stream().flatMap(a -> a.statements().stream()).map(PhaseStep.Statement::sql).toList();
  }

  /**
   * The copy as actions of a phase step (idempotent, each statement skipped when its effect is
   * there): the partitioned levels {@code ON ONLY} in one short transaction each, each leaf's index
   * {@code CONCURRENTLY} (watched as any index copy, an invalid leftover dropped first), the
   * attachments bottom-up. The step's postcondition {@link #rootValid} holds once every partition's
   * index is attached.
   */
  List<PhaseStep.Action> actions() {
    List<PhaseStep.Action> actions = new ArrayList<>();
    String what = "copy index " + Identifiers.quote(nodes.get(0).copy().source().name()) + " onto the new column: ";
    for (Node n : nodes) {
      if (n.partitioned()) {
        actions.add(new PhaseStep.Action(PhaseStep.ActionKind.IN_TRANSACTION, List.of(new PhaseStep.Statement(
            n.copy().createSql(), indexExists(n.copy()))), what + "the partitioned table's index, ON ONLY (empty,"
            + " invalid until its partitions' are attached)", null));
      }
    }
    for (Node n : nodes) {
      if (!n.partitioned()) {
        actions.add(new PhaseStep.Action(PhaseStep.ActionKind.OUTSIDE_TRANSACTION, List.of(new PhaseStep.Statement(
            n.copy().createSql(), PhasePlanner.validIndex(n.copy().schema(), n.copy().copyName()))),
            what + "a leaf partition's index, CONCURRENTLY", null, n.copy().schema(), n.copy().copyName(), null));
      }
    }
    for (int i = nodes.size() - 1; i > 0; i--) {
      Node n = nodes.get(i);
      actions.add(new PhaseStep.Action(PhaseStep.ActionKind.IN_TRANSACTION, List.of(new PhaseStep.Statement(
          n.attachSql(), attached(n))), what + "attach a partition's index to its parent's", null));
    }
    return actions;
  }

  /** The postcondition: the root copy is valid (every partition's index attached). */
  PhaseStep.Check rootValid() {
    RenameDdl.IndexCopy root = nodes.get(0).copy();
    return PhaseStep.Check.sql("index " + Identifiers.quote(root.copyName()) + " of the partitioned table is valid"
        + " (every partition's index was attached; is the source " + Identifiers.quote(root.source().name())
        + " valid on every partition?)", PhasePlanner.validIndex(root.schema(), root.copyName()));
  }

  private static String indexExists(RenameDdl.IndexCopy copy) {
    return "SELECT to_regclass(" + literal(Identifiers.quote(copy.schema(), copy.copyName())) + ") IS NOT NULL";
  }

  /** Whether {@code n}'s copy is attached to its parent's already. */
  private static String attached(Node n) {
    return "SELECT EXISTS (SELECT 1 FROM pg_inherits WHERE inhrelid = to_regclass("
        + literal(Identifiers.quote(n.copy().schema(), n.copy().copyName())) + ") AND inhparent = to_regclass("
        + literal(Identifiers.quote(n.parent().schema(), n.parent().copyName())) + "))";
  }

  private static String literal(String s) {
    return "'" + s.replace("'", "''") + "'";
  }
}
