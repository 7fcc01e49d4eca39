package dev.cutover.operator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a migration file (YAML, or the same in JSON, which YAML includes) and checks its shape:
 * required fields, unknown fields, identifiers. Database checks (table and column exist) are the
 * planner's.
 */
public final class MigrationFileParser {

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
  private static final Set<String> TOP = Set.of("id", "table", "rename", "changeType");
  private static final Set<String> RENAME = Set.of("from", "to");
  private static final Set<String> CHANGE_TYPE = Set.of("column", "to", "type", "up", "down");

  private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
  private final ObjectMapper json = new ObjectMapper();

  /**
   * Parses {@code file}.
   *
   * @throws InvalidMigrationFileException naming the file, the field and the reason
   */
  public MigrationFile parse(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new InvalidMigrationFileException(file, null, "cannot read the file: " + e);
    }
    JsonNode root;
    try {
      root = yaml.readTree(text);
    } catch (JsonProcessingException e) {
      throw new InvalidMigrationFileException(file, null, "not valid YAML or JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new InvalidMigrationFileException(file, null, "expected a mapping with id, table and rename or changeType");
    }
    checkFields(file, root, TOP, null);
    String id = requiredText(file, root, "id", null);
    if (!ID.matcher(id).matches()) {
      throw new InvalidMigrationFileException(file, "id",
          "'" + id + "' is not a valid id (letters, digits, '.', '_' and '-', starting with a letter or digit, at most 100)");
    }
    String tableText = requiredText(file, root, "table", null);
    List<String> table;
    try {
      table = Identifiers.parseQualified(tableText);
    } catch (IllegalArgumentException e) {
      throw new InvalidMigrationFileException(file, "table", e.getMessage());
    }
    JsonNode rename = root.get("rename");
    JsonNode changeType = root.get("changeType");
    if ((rename == null) == (changeType == null)) {
      throw new InvalidMigrationFileException(file, rename == null ? "rename" : "changeType",
          rename == null ? "missing: give either rename or changeType" : "give either rename or changeType, not both");
    }
    MigrationFile.Rename r = null;
    MigrationFile.ChangeType c = null;
    if (rename != null) {
      requireObject(file, rename, "rename");
      checkFields(file, rename, RENAME, "rename");
      String from = identifier(file, rename, "from", "rename");
      String to = identifier(file, rename, "to", "rename");
      if (from.equals(to)) {
        throw new InvalidMigrationFileException(file, "rename.to", "'" + to + "' is the same name as rename.from");
      }
      r = new MigrationFile.Rename(from, to);
    } else {
      requireObject(file, changeType, "changeType");
      checkFields(file, changeType, CHANGE_TYPE, "changeType");
      String column = identifier(file, changeType, "column", "changeType");
      String to = changeType.has("to") ? identifier(file, changeType, "to", "changeType") : null;
      c = new MigrationFile.ChangeType(column, to,
          requiredText(file, changeType, "type", "changeType"),
          requiredText(file, changeType, "up", "changeType"),
          requiredText(file, changeType, "down", "changeType"));
    }
    String asJson;
    try {
      asJson = json.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new InvalidMigrationFileException(file, null, "cannot convert to JSON: " + e.getOriginalMessage());
    }
    return new MigrationFile(file, id,
        table.size() == 2 ? table.get(0) : null, table.get(table.size() - 1), r, c, asJson);
  }

  private static void checkFields(Path file, JsonNode node, Set<String> allowed, String parent) {
    for (Iterator<String> it = ((ObjectNode) node).fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!allowed.contains(name)) {
        throw new InvalidMigrationFileException(file, path(parent, name),
            "unknown field (allowed: " + String.join(", ", allowed.stream().sorted().toList()) + ")");
      }
    }
  }

  private static void requireObject(Path file, JsonNode node, String field) {
    if (!node.isObject()) {
      throw new InvalidMigrationFileException(file, field, "expected a mapping");
    }
  }

  private static String requiredText(Path file, JsonNode node, String name, String parent) {
    JsonNode value = node.get(name);
    if (value == null || value.isNull()) {
      throw new InvalidMigrationFileException(file, path(parent, name), "missing (required)");
    }
    if (!value.isTextual() || value.asText().isBlank()) {
      throw new InvalidMigrationFileException(file, path(parent, name), "expected a non-empty string");
    }
    return value.asText().trim();
  }

  private static String identifier(Path file, JsonNode node, String name, String parent) {
    String text = requiredText(file, node, name, parent);
    try {
      return Identifiers.parse(text);
    } catch (IllegalArgumentException e) {
      throw new InvalidMigrationFileException(file, path(parent, name), e.getMessage());
    }
  }

  private static String path(String parent, String name) {
    return parent == null ? name : parent + "." + name;
  }
}
