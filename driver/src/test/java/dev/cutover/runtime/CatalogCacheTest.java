package dev.cutover.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.rewriter.Catalog;
import dev.cutover.rewriter.TableInfo;
import dev.cutover.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;

class CatalogCacheTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @BeforeAll
  static void schema() throws SQLException {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE t (a int, gone int, b text)");
      st.execute("ALTER TABLE t DROP COLUMN gone");
      st.execute("CREATE SCHEMA other");
      st.execute("CREATE TABLE other.t (x int)");
      st.execute("CREATE TABLE \"Mixed\" (\"Col\" int)");
      st.execute("CREATE VIEW v AS SELECT a FROM t");
      st.execute("CREATE TABLE parted (k int, v text) PARTITION BY RANGE (k)");
    }
  }

  private static Catalog catalog(Connection c) throws SQLException {
    BaseConnection pg = c.unwrap(BaseConnection.class);
    return new CatalogCache(100).forSession(pg, CatalogCache.searchPath(pg));
  }

  @Test
  void table_unqualified_resolvesThroughSearchPathWithoutDroppedColumns() throws SQLException {
    try (Connection c = db.plainConnection()) {
      assertThat(catalog(c).table(null, "t")).isEqualTo(new TableInfo("public", "t", java.util.List.of("a", "b")));
      try (Statement st = c.createStatement()) {
        st.execute("SET search_path = other, public");
      }
      assertThat(catalog(c).table(null, "t")).isEqualTo(new TableInfo("other", "t", java.util.List.of("x")));
      assertThat(catalog(c).table("public", "t").columns()).containsExactly("a", "b");
    }
  }

  @Test
  void table_viewsMissingAndQuotedNames() throws SQLException {
    try (Connection c = db.plainConnection()) {
      Catalog catalog = catalog(c);
      assertThat(catalog.table(null, "v")).isNull();
      assertThat(catalog.table(null, "nope")).isNull();
      assertThat(catalog.table("no_such_schema", "t")).isNull();
      assertThat(catalog.table(null, "it's \"odd\"")).isNull();
      assertThat(catalog.table(null, "Mixed").columns()).containsExactly("Col");
      assertThat(catalog.table(null, "parted").columns()).containsExactly("k", "v");
    }
  }

  @Test
  void table_awkwardColumnNames_readAsTheServerHasThem() throws SQLException {
    List<String> names = List.of("a,b", "{c}", "q\"d", "back\\slash", "NULL", "null", "with space", "tab\tx",
        "ünï €", "'s'", "\\\"", "x");
    StringBuilder ddl = new StringBuilder("CREATE TABLE awkward (");
    for (String n : names) {
      ddl.append(n.equals(names.get(0)) ? "" : ", ").append('"').append(n.replace("\"", "\"\"")).append("\" int");
    }
    ddl.append(", PRIMARY KEY (\"NULL\", \"a,b\", \"q\"\"d\"))");
    try (Connection c = db.plainConnection()) {
      try (Statement st = c.createStatement()) {
        st.execute(ddl.toString());
      }
      TableInfo info = catalog(c).table(null, "awkward");
      assertThat(info.columns()).containsExactlyElementsOf(names);
      assertThat(info.primaryKey()).containsExactly("NULL", "a,b", "q\"d");
    }
  }

  @Test
  void names_parsesTheTextFormAndRefusesWhatItIsNot() throws SQLException {
    assertThat(CatalogCache.names("{}")).isEmpty();
    assertThat(CatalogCache.names("{a,\"\",\"b c\",\"d\\\"e\\\\\"}")).containsExactly("a", "", "b c", "d\"e\\");
    for (String bad : List.of("", "{", "a", "{NULL}", "{{a}}", "{a\"b}", "{\"a\"b}")) {
      assertThatThrownBy(() -> CatalogCache.names(bad)).as(bad).isInstanceOf(Exception.class);
    }
  }

  @Test
  void table_autocommitOff_opensNoTransaction() throws SQLException {
    try (Connection c = db.plainConnection()) {
      c.setAutoCommit(false);
      Catalog catalog = catalog(c);
      assertThat(catalog.table(null, "t")).isNotNull();
      assertThat(c.unwrap(BaseConnection.class).getTransactionState()).isEqualTo(TransactionState.IDLE);
      c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE); // fails inside a transaction
      c.rollback();
    }
  }

  @Test
  void table_insideTransaction_missingNamesDoNotAbortIt() throws SQLException {
    try (Connection c = db.plainConnection()) {
      c.setAutoCommit(false);
      try (Statement st = c.createStatement()) {
        st.execute("INSERT INTO t (a) VALUES (1)");
        Catalog catalog = catalog(c);
        assertThat(catalog.table("no_such_schema", "x")).isNull();
        assertThat(catalog.table(null, "missing")).isNull();
        try (ResultSet rs = st.executeQuery("SELECT count(*) FROM t")) {
          rs.next();
          assertThat(rs.getInt(1)).isEqualTo(1);
        }
      }
      c.rollback();
    }
  }
}
