package dev.cutover.cli;

import dev.cutover.demo.Demo;
import dev.cutover.operator.ConnectionSettings;
import dev.cutover.operator.Identifiers;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code cutover demo}: the quick start. Creates a database of its own on the server of
 * {@code --url} (the URL's database is only where it connects to create and drop it), runs the
 * operator's own commands in this process, so what it prints is exactly what an operator would type
 * and see, then drops the database.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Rename a sample table's column live, forward and back, with a workload running, in a database"
        + " of its own (created and dropped).")
final class DemoCommand implements Callable<Integer> {

  /** The comment that marks a database as the demo's own, so that a later run may drop it. */
  static final String MARK = "created by cutover demo; dropped by the next run";

  @ParentCommand CutoverCommand parent;

  @Spec CommandSpec spec;

  /** The demo's own database. */
  @Option(names = "--database", paramLabel = "NAME", defaultValue = "cutover_demo",
      description = "the database the demo creates and drops (default: ${DEFAULT-VALUE})")
  String database;

  /** Leave the database in place afterwards. */
  @Option(names = "--keep", description = "keep the demo's database afterwards, to look around")
  boolean keep;

  /** Use a database the demo did not create. */
  @Option(names = "--yes", description = "run even if --database exists and was not created by the demo (its"
      + " cutover_demo schema and the demo's migration are dropped and re-created; the database is kept)")
  boolean yes;

  @Override
  public Integer call() throws Exception {
    ConnectionSettings server = parent.settings();
    Path workDir = Files.createTempDirectory("cutover-demo");
    String log = workDir.resolve("driver.log").toString();
    // The driver's log lines would interleave with the story: they go to a file (slf4j-simple reads
    // this when its first logger is made, which in the CLI is the demo's first connection).
    System.setProperty("org.slf4j.simpleLogger.logFile", log);
    boolean own;
    try (Connection admin = server.open()) {
      own = create(admin);
    } catch (IllegalStateException e) {
      spec.commandLine().getErr().println("demo: " + e.getMessage());
      return CommandLine.ExitCode.USAGE;
    }
    ConnectionSettings settings = new ConnectionSettings(withDatabase(server.url(), database), server.user(),
        server.password(), server.controlSchema());
    String cliUrl = settings.url();
    if (!settings.controlSchema().equals(ConnectionSettings.DEFAULT_SCHEMA)) {
      cliUrl += (cliUrl.contains("?") ? "&" : "?") + "cutover.schema="
          + URLEncoder.encode(settings.controlSchema(), StandardCharsets.UTF_8);
    }
    String url = cliUrl;
    Demo.Cli cli = args -> {
      List<String> all = new ArrayList<>(List.of(args));
      all.addAll(List.of("--url", url));
      if (settings.user() != null) {
        all.addAll(List.of("--user", settings.user()));
      }
      if (settings.password() != null) {
        all.addAll(List.of("--password", settings.password()));
      }
      return CutoverCommand.commandLine()
          .setOut(spec.commandLine().getOut())
          .setErr(spec.commandLine().getErr())
          .execute(all.toArray(String[]::new));
    };
    spec.commandLine().getOut().printf("The demo runs in its own database \"%s\"%s; driver log: %s%n", database,
        own ? (keep ? " (kept afterwards: --keep)" : " (dropped afterwards)") : " (not the demo's own: kept)", log);
    try {
      return new Demo(settings.url(), settings.user(), settings.password(), settings.controlSchema(),
          spec.commandLine().getOut(), cli).run(workDir);
    } catch (IllegalStateException e) {
      spec.commandLine().getErr().println("demo stopped: " + e.getMessage());
      return 1;
    } finally {
      if (own && !keep) {
        try (Connection admin = server.open(); Statement st = admin.createStatement()) {
          st.execute("DROP DATABASE IF EXISTS " + Identifiers.quote(database) + " WITH (FORCE)");
        }
      }
    }
  }

  /**
   * Creates the demo's database, or re-creates it when an earlier demo made it.
   *
   * @return whether the database is the demo's own (to drop afterwards)
   * @throws IllegalStateException when it exists, was not made by the demo, and {@code --yes} is not given
   */
  private boolean create(Connection admin) throws SQLException {
    String comment = null;
    boolean exists;
    try (PreparedStatement ps = admin.prepareStatement("SELECT shobj_description(oid, 'pg_database') FROM pg_database"
        + " WHERE datname = ?")) {
      ps.setString(1, database);
      try (ResultSet rs = ps.executeQuery()) {
        exists = rs.next();
        if (exists) {
          comment = rs.getString(1);
        }
      }
    }
    boolean ours = MARK.equals(comment);
    if (exists && !ours) {
      if (!yes) {
        throw new IllegalStateException("database \"" + database + "\" exists and was not created by the demo;"
            + " nothing was changed. Pick another with --database NAME, or pass --yes to run in it (its schema"
            + " cutover_demo is dropped and re-created)");
      }
      return false;
    }
    try (Statement st = admin.createStatement()) {
      if (exists) {
        st.execute("DROP DATABASE " + Identifiers.quote(database) + " WITH (FORCE)");
      }
      st.execute("CREATE DATABASE " + Identifiers.quote(database));
      st.execute("COMMENT ON DATABASE " + Identifiers.quote(database) + " IS '" + MARK + "'");
    }
    return true;
  }

  /** {@code url} (a {@code jdbc:postgresql:} URL) with its database replaced by {@code name}. */
  static String withDatabase(String url, String name) {
    String prefix = "jdbc:postgresql:";
    if (!url.startsWith(prefix)) {
      throw new IllegalArgumentException("not a jdbc:postgresql: URL: " + url);
    }
    int query = url.indexOf('?');
    String head = query < 0 ? url : url.substring(0, query);
    String tail = query < 0 ? "" : url.substring(query);
    String encoded = URLEncoder.encode(name, StandardCharsets.UTF_8);
    if (head.startsWith("//", prefix.length())) {
      int slash = head.indexOf('/', prefix.length() + 2);
      return (slash < 0 ? head : head.substring(0, slash)) + "/" + encoded + tail;
    }
    return prefix + encoded + tail;
  }
}
