package dev.cutover.migration;

/**
 * A partition (at any depth of sub-partitioning) of a table with a migration. A statement that names
 * it directly reads and writes rows of the migrating table, and the partition has both columns, so
 * it is rewritten exactly as a statement on that table.
 *
 * @param schema the partition's schema
 * @param table the partition's name
 * @param rootSchema the schema of the migrating (partitioned) table it belongs to
 * @param rootTable the migrating table's name
 */
public record Partition(String schema, String table, String rootSchema, String rootTable) {}
