package dev.cutover.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * A key's in-place type change together with the columns that reference it through foreign keys:
 * one group of migrations that move together, and the foreign keys carried from the old columns to
 * the new ones.
 *
 * <p>Implementation notes. The group's key migration comes first in every command, then its
 * members (one per referencing column), so within a round the key's step runs first. What each
 * foreign key needs, and why:
 *
 * <ul>
 *   <li>{@code planned}, {@code dual_write}: the original foreign key alone. Every write reaches the
 *       old columns, so it checks every write. The new one cannot exist yet: until the key's
 *       backfill is verified, a parent row's new column may be empty, and a child row written with
 *       its new value would fail it.
 *   <li>dual_write → read_new (the key's step, after its backfill guard): the new foreign key, on
 *       the new columns, added {@code NOT VALID} (a short SHARE ROW EXCLUSIVE lock on both tables;
 *       from then on it checks every write and its actions reach the new columns too), then
 *       {@code VALIDATE} (SHARE UPDATE EXCLUSIVE on the child, ROW SHARE on the parent: writes go
 *       on). Actions that write the child's column server-side (ON UPDATE CASCADE, SET NULL, SET
 *       DEFAULT) are refused at plan: while only the original exists they would change the old
 *       column alone, and a stale new value under the new foreign key could refuse, or cascade, a
 *       delete by a wrong key.
 *   <li>read_new: both; the columns hold the same values, both are written.
 *   <li>read_new → new_only (the key's step, before any member stops writing its old column):
 *       the old foreign key is dropped. In new_only the old columns are no longer written and go
 *       stale; a key on them would refuse (or, with CASCADE, act on) rows by stale values.
 *   <li>completed (the member's step): the new foreign key takes the original name.
 *   <li>Back from new_only (the member's step, after every member's old column is refilled until
 *       clean, which the key's step does first): the old foreign key added again, {@code NOT VALID},
 *       then {@code VALIDATE}. Back from read_new: the old one ensured, the new one dropped. Back to
 *       planned: the new one dropped before the key's new column.
 * </ul>
 */
final class ForeignKeyGroup {

  /** Suffix of the new foreign key's name while both exist. */
  static final String SUFFIX = "_cutover";

  private static final ObjectMapper JSON = new ObjectMapper();

  private ForeignKeyGroup() {}

  /**
   * One foreign key referencing the group's key, and the member migration of its column.
   *
   * @param member the member migration's id
   * @param schema the referencing table's schema
   * @param table the referencing table
   * @param column the referencing column
   * @param constraint the foreign key's name
   * @param parentSchema the key's table's schema
   * @param parentTable the key's table
   * @param parentColumn the key column
   * @param parentNew the key's new physical column (until completed)
   * @param options what follows the column lists: {@code MATCH}, {@code ON UPDATE}, {@code ON DELETE},
   *     {@code DEFERRABLE}, as PostgreSQL records them
   */
  record Reference(String member, String schema, String table, String column, String constraint,
      String parentSchema, String parentTable, String parentColumn, String parentNew, String options) {

    String quotedTable() {
      return Identifiers.quote(schema, table);
    }

    String newColumn() {
      return Identifiers.withSuffix(column, Operator.IN_PLACE_SUFFIX);
    }

    /** The new foreign key's name while the original exists. */
    String newConstraint() {
      return Identifiers.withSuffix(constraint, SUFFIX);
    }

    private String alter() {
      return "ALTER TABLE " + quotedTable();
    }

    /** The new foreign key, on the new columns, {@code NOT VALID}. */
    String addNewSql() {
      return alter() + " ADD CONSTRAINT " + Identifiers.quote(newConstraint()) + " FOREIGN KEY ("
          + Identifiers.quote(newColumn()) + ") REFERENCES " + Identifiers.quote(parentSchema, parentTable) + " ("
          + Identifiers.quote(parentNew) + ")" + options + " NOT VALID";
    }

    String validateNewSql() {
      return alter() + " VALIDATE CONSTRAINT " + Identifiers.quote(newConstraint());
    }

    String dropNewSql() {
      return alter() + " DROP CONSTRAINT IF EXISTS " + Identifiers.quote(newConstraint());
    }

    /** The original foreign key, on the old columns, {@code NOT VALID} (the way back). */
    String addOldSql() {
      return alter() + " ADD CONSTRAINT " + Identifiers.quote(constraint) + " FOREIGN KEY ("
          + Identifiers.quote(column) + ") REFERENCES " + Identifiers.quote(parentSchema, parentTable) + " ("
          + Identifiers.quote(parentColumn) + ")" + options + " NOT VALID";
    }

    String validateOldSql() {
      return alter() + " VALIDATE CONSTRAINT " + Identifiers.quote(constraint);
    }

    String dropOldSql() {
      return alter() + " DROP CONSTRAINT IF EXISTS " + Identifiers.quote(constraint);
    }

    /** At completed: the new foreign key takes the original name. */
    String renameNewSql() {
      return alter() + " RENAME CONSTRAINT " + Identifiers.quote(newConstraint()) + " TO "
          + Identifiers.quote(constraint);
    }

    /** A query: the named foreign key of the referencing table exists on {@code col}. */
    String exists(String name, String col, boolean validated) {
      return "SELECT EXISTS (SELECT 1 FROM pg_constraint co JOIN pg_attribute a ON a.attrelid = co.conrelid"
          + " AND a.attnum = co.conkey[1] WHERE co.conrelid = " + literal(quotedTable()) + "::regclass"
          + " AND co.contype = 'f' AND co.conname = " + literal(name) + " AND a.attname = " + literal(col)
          + (validated ? " AND co.convalidated" : "") + ")";
    }

    String newExists(boolean validated) {
      return exists(newConstraint(), newColumn(), validated);
    }

    String oldExists(boolean validated) {
      return exists(constraint, column, validated);
    }

    /** Any foreign key of that name on the referencing table (whichever column). */
    String nameTaken(String name) {
      return "SELECT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = " + literal(quotedTable())
          + "::regclass AND conname = " + literal(name) + ")";
    }

    /** {@code child(column) -> parent(key)}, for messages. */
    String describe() {
      return Identifiers.quote(constraint) + " on " + quotedTable() + " (" + Identifiers.quote(column)
          + ") REFERENCES " + Identifiers.quote(parentSchema, parentTable) + " (" + Identifiers.quote(parentColumn)
          + ")" + options;
    }
  }

  /**
   * A group: the key migration and the foreign keys whose columns are its members.
   *
   * @param key the key migration's id
   * @param references one per member, in the order they move
   */
  record Group(String key, List<Reference> references) {
    /** Every id of the group, the key first. */
    List<String> ids() {
      List<String> ids = new ArrayList<>();
      ids.add(key);
      references.forEach(r -> ids.add(r.member()));
      return ids;
    }

    /** The reference of member {@code id}, or {@code null} (the key, or not in the group). */
    Reference member(String id) {
      return references.stream().filter(r -> r.member().equals(id)).findFirst().orElse(null);
    }
  }

  /**
   * A foreign key found referencing a column, with what plan needs to decide about it.
   *
   * @param oid the constraint's oid
   * @param described {@code pg_describe_object} of it, as the inspection's findings name it
   * @param reference what the group would record
   * @param refusal why it cannot be carried, or {@code null}
   * @param childType the referencing column's type
   */
  record Found(long oid, String described, Reference reference, String refusal, String childType) {}

  /** Every foreign key that references column {@code key} of {@code table}. */
  static List<Found> referencing(Connection c, TableCatalog.Table table, TableCatalog.Column key, String keyId,
      String parentNew) throws SQLException {
    List<Found> found = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT co.oid, pg_describe_object('pg_constraint'::regclass,"
        + " co.oid, 0), n.nspname, t.relname, a.attname, co.conname, array_length(co.conkey, 1),"
        + " co.conrelid = co.confrelid, format_type(a.atttypid, a.atttypmod), co.confmatchtype::text,"
        + " co.confupdtype::text, co.confdeltype::text, co.condeferrable, co.condeferred,"
        + " NULL," // (unused)
        + " t.relkind::text"
        + " FROM pg_constraint co JOIN pg_class t ON t.oid = co.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace"
        + " JOIN pg_attribute a ON a.attrelid = co.conrelid AND a.attnum = co.conkey[1]"
        + " WHERE co.contype = 'f' AND co.confrelid = ? AND ? = ANY (co.confkey) ORDER BY n.nspname, t.relname,"
        + " co.conname")) {
      ps.setLong(1, table.oid());
      ps.setInt(2, key.attnum());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String member = keyId + "." + rs.getString(4) + "." + rs.getString(5);
          String options = options(rs.getString(10), rs.getString(11), rs.getString(12), rs.getBoolean(13),
              rs.getBoolean(14));
          Reference ref = new Reference(member, rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
              table.schema(), table.name(), key.name(), parentNew, options);
          String refusal = null;
          if (rs.getInt(7) != 1) {
            refusal = "it has " + rs.getInt(7) + " columns; only a single-column foreign key is carried";
          } else if (rs.getBoolean(8)) {
            refusal = "it references its own table; a self-referencing foreign key is not carried yet";
          } else if (!rs.getString(9).equals(key.type())) {
            refusal = "its column " + Identifiers.quote(rs.getString(5)) + " is " + rs.getString(9) + ", not "
                + key.type() + " like the key; only a referencing column of the key's own type is migrated with it";
          } else if (!List.of("a", "r").contains(rs.getString(11)) || List.of("n", "d").contains(rs.getString(12))) {
            // Such an action writes the referencing column server-side, past the driver: while only the
            // original exists it would change the old column and leave the new one stale, and a stale
            // value under the new foreign key could refuse a delete, or cascade one, by a wrong key.
            refusal = "its" + (List.of("a", "r").contains(rs.getString(11)) ? "" : " ON UPDATE "
                + action(rs.getString(11))) + (List.of("n", "d").contains(rs.getString(12)) ? " ON DELETE "
                + action(rs.getString(12)) : "") + " writes the referencing column server-side, past the driver,"
                + " which would leave the new column stale; only NO ACTION, RESTRICT and ON DELETE CASCADE are"
                + " carried";
          } else if (!"r".equals(rs.getString(16))) {
            refusal = "the referencing table is not an ordinary table (relkind '" + rs.getString(16) + "')";
          } else if (!member.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}")) {
            refusal = "its member migration's id '" + member + "' would not be a valid id (letters, digits, '.', '_'"
                + " and '-', at most 100); use a shorter migration id";
          }
          found.add(new Found(rs.getLong(1), rs.getString(2), ref, refusal, rs.getString(9)));
        }
      }
    }
    return found;
  }

  /** What follows the column lists of a foreign key, as {@code pg_get_constraintdef} prints it. */
  private static String options(String match, String onUpdate, String onDelete, boolean deferrable,
      boolean deferred) {
    StringBuilder sb = new StringBuilder();
    if ("f".equals(match)) {
      sb.append(" MATCH FULL");
    }
    if (!"a".equals(onUpdate)) {
      sb.append(" ON UPDATE ").append(action(onUpdate));
    }
    if (!"a".equals(onDelete)) {
      sb.append(" ON DELETE ").append(action(onDelete));
    }
    if (deferrable) {
      sb.append(" DEFERRABLE").append(deferred ? " INITIALLY DEFERRED" : "");
    }
    return sb.toString();
  }

  private static String action(String code) {
    return switch (code) {
      case "r" -> "RESTRICT";
      case "c" -> "CASCADE";
      case "n" -> "SET NULL";
      case "d" -> "SET DEFAULT";
      default -> "NO ACTION";
    };
  }

  /** The group as stored in the key migration's {@code spec} (field {@code group}). */
  static ObjectNode toJson(Group g) {
    ObjectNode node = JSON.createObjectNode();
    node.put("key", g.key());
    ArrayNode refs = node.putArray("references");
    for (Reference r : g.references()) {
      ObjectNode o = refs.addObject();
      o.put("member", r.member());
      o.put("schema", r.schema());
      o.put("table", r.table());
      o.put("column", r.column());
      o.put("constraint", r.constraint());
      o.put("parentSchema", r.parentSchema());
      o.put("parentTable", r.parentTable());
      o.put("parentColumn", r.parentColumn());
      o.put("parentNew", r.parentNew());
      o.put("options", r.options());
    }
    return node;
  }

  /** The group stored as {@link #toJson}, or {@code null}. */
  static Group fromJson(JsonNode node) {
    if (node == null || !node.has("references")) {
      return null;
    }
    List<Reference> refs = new ArrayList<>();
    for (JsonNode o : node.get("references")) {
      refs.add(new Reference(o.get("member").asText(), o.get("schema").asText(), o.get("table").asText(),
          o.get("column").asText(), o.get("constraint").asText(), o.get("parentSchema").asText(),
          o.get("parentTable").asText(), o.get("parentColumn").asText(), o.get("parentNew").asText(),
          o.get("options").asText()));
    }
    return new Group(node.get("key").asText(), refs);
  }

  /** The spec JSON of a migration file with {@code group} added. */
  static String withGroup(String specJson, JsonNode group) {
    try {
      ObjectNode root = (ObjectNode) JSON.readTree(specJson);
      root.set("group", group);
      return JSON.writeValueAsString(root);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The spec of a member: its change, derived from the key's, and the key it belongs to. */
  static String memberSpec(Reference r, String type, String up, String down, String keyId) {
    ObjectNode root = JSON.createObjectNode();
    root.put("id", r.member());
    root.put("table", Identifiers.quote(r.schema(), r.table()));
    ObjectNode change = root.putObject("changeType");
    change.put("column", r.column());
    change.put("type", type);
    change.put("up", up);
    change.put("down", down);
    root.putObject("group").put("key", keyId);
    try {
      return JSON.writeValueAsString(root);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The group migration {@code id} belongs to, or {@code null}. */
  static Group of(Connection c, String controlSchemaQualifiedMigrations, String id) throws SQLException {
    String key = null;
    try (PreparedStatement ps = c.prepareStatement("SELECT spec -> 'group' ->> 'key' FROM "
        + controlSchemaQualifiedMigrations + " WHERE id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          key = rs.getString(1);
        }
      }
    }
    if (key == null) {
      return null;
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT (spec -> 'group')::text FROM "
        + controlSchemaQualifiedMigrations + " WHERE id = ?")) {
      ps.setString(1, key);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next() || rs.getString(1) == null) {
          return null;
        }
        try {
          return fromJson(JSON.readTree(rs.getString(1)));
        } catch (java.io.IOException e) {
          throw new IllegalStateException("unreadable group of migration '" + key + "'", e);
        }
      }
    }
  }

  private static String literal(String s) {
    return "'" + s.replace("'", "''") + "'";
  }
}
