package dev.cutover.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What Cutover adds to an application's JVM: a small application ({@link FootprintApp}) runs the
 * same statements in a JVM of its own, on plain pgjdbc and on Cutover's shaded jar (with no
 * migration, and with its table in {@code dual_write}); each JVM's resident memory ({@code VmRSS}),
 * native memory by category ({@code -XX:NativeMemoryTracking=summary}, {@code jcmd PID
 * VM.native_memory summary}) and loaded classes are read once the statements ran.
 *
 * <p>The JVMs run with the same fixed heap ({@code -Xms64m -Xmx64m}, serial GC), so that heap
 * sizing does not differ between them and the difference is the driver's.
 */
final class Footprint {

  /**
   * One JVM's figures, in KB (classes: a count). {@code rssKb} is the resident memory as found;
   * {@code rssTrimmedKb} after asking glibc to return the free memory of its arenas ({@code jcmd PID
   * System.trim_native_heap}): the JIT compilers' transient arenas are freed to malloc but stay
   * resident until trimmed, by an amount that depends on when the JVM is sampled, not on the driver.
   */
  record Result(String name, long rssKb, long rssTrimmedKb, long committedKb, long heapUsedKb, Map<String, Long> committedByCategoryKb,
      long classes, Map<String, Long> classesByOrigin) {}

  /** The class-name prefixes the loaded classes are counted by, first match wins. */
  private static final List<String> ORIGINS = List.of("dev.cutover.shaded.calcite", "dev.cutover.shaded.guava",
      "dev.cutover.shaded.caffeine", "dev.cutover.shaded", "dev.cutover", "org.postgresql", "org.slf4j", "java.",
      "jdk.", "sun.", "");

  // A fixed, pre-touched heap: resident in full in every JVM, so that the RSS differences are the
  // driver's native memory (classes, code, threads); its heap is the live heap after a full GC.
  private static final List<String> JVM = List.of("-Xms64m", "-Xmx64m", "-XX:+AlwaysPreTouch", "-XX:+UseSerialGC",
      "-XX:NativeMemoryTracking=summary");

  private final BenchDatabase db;
  private final Path driverJar;
  private final List<Path> dependencies;

  /**
   * @param driverJar the shaded {@code cutover-driver-*.jar}
   * @param dependencies pgjdbc and slf4j-api, the jars the shaded jar leaves to the application
   */
  Footprint(BenchDatabase db, Path driverJar, List<Path> dependencies) {
    this.db = db;
    this.driverJar = driverJar;
    this.dependencies = dependencies;
  }

  /** Finds the shaded jar under {@code driver-shaded/target} and pgjdbc and slf4j-api in the local Maven repository. */
  static Footprint locate(BenchDatabase db) throws IOException {
    Path jar;
    try (Stream<Path> files = Files.list(Path.of("driver-shaded", "target"))) {
      jar = files.filter(p -> p.getFileName().toString().matches("cutover-driver-.*\\.jar")
              && !p.getFileName().toString().contains("sources") && !p.getFileName().toString().contains("javadoc"))
          .findFirst().orElseThrow(() -> new IOException("no driver-shaded/target/cutover-driver-*.jar: run"
              + " ./mvnw -o -q -B install -DskipTests first"));
    }
    Path m2 = Path.of(System.getProperty("user.home"), ".m2", "repository");
    String pg = org.postgresql.util.DriverInfo.DRIVER_VERSION;
    Path pgjdbc = m2.resolve("org/postgresql/postgresql/" + pg + "/postgresql-" + pg + ".jar");
    Path slf4j;
    try (Stream<Path> versions = Files.list(m2.resolve("org/slf4j/slf4j-api"))) {
      Path dir = versions.filter(p -> p.getFileName().toString().startsWith("2."))
          .max(Comparator.comparing(p -> p.getFileName().toString())).orElseThrow();
      slf4j = dir.resolve("slf4j-api-" + dir.getFileName() + ".jar");
    }
    return new Footprint(db, jar, List.of(pgjdbc, slf4j));
  }

  /** Runs the application on pgjdbc, on Cutover without a migration, and on Cutover in dual_write. */
  List<Result> run() throws Exception {
    db.execute("CREATE TABLE fp_users (id bigserial PRIMARY KEY, email text NOT NULL, full_name text)",
        "INSERT INTO fp_users (email, full_name) SELECT 'u' || i || '@example.com', 'Name ' || i"
            + " FROM generate_series(1, 1000) i");
    Path app = Files.createTempDirectory("cutover-footprint");
    try {
      Path classFile = app.resolve("dev/cutover/benchmarks/FootprintApp.class");
      Files.createDirectories(classFile.getParent());
      try (InputStream in = Footprint.class.getResourceAsStream("FootprintApp.class")) {
        Files.copy(in, classFile);
      }
      List<Path> pgOnly = new ArrayList<>(dependencies);
      pgOnly.add(app);
      List<Path> withCutover = new ArrayList<>(pgOnly);
      withCutover.add(0, driverJar);
      List<Result> out = new ArrayList<>();
      out.add(measure("pgjdbc", pgOnly, db.pgUrl()));
      out.add(measure("cutover, no migration", withCutover, db.cutoverUrl()));
      Path file = Files.createTempFile("fp-users", ".yaml");
      try {
        Files.writeString(file, "id: fp-users\ntable: public.fp_users\nrename:\n  from: full_name\n  to: display_name\n");
        db.cutover("plan", file.toString());
        db.cutover("advance", "fp-users");
      } finally {
        Files.deleteIfExists(file);
      }
      out.add(measure("cutover, dual_write", withCutover, db.cutoverUrl()));
      // The lazy migration of rows read (off by default) opens a connection and a thread of its own.
      out.add(measure("cutover, dual_write, readTouch=true", withCutover, db.cutoverUrl() + "?cutover.readTouch=true"));
      return out;
    } finally {
      try (Stream<Path> walk = Files.walk(app)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private Result measure(String name, List<Path> classPath, String url) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(JVM);
    String extra = System.getProperty("cutover.footprint.jvmArgs");
    if (extra != null && !extra.isBlank()) {
      command.addAll(List.of(extra.trim().split("\\s+")));
    }
    Path classLog = Files.createTempFile("footprint-classes", ".log");
    command.add("-Xlog:class+load=info:file=" + classLog);
    command.add("-cp");
    command.add(String.join(java.io.File.pathSeparator, classPath.stream().map(Path::toString).toList()));
    command.add(FootprintApp.class.getName());
    command.add(url);
    command.add(db.user());
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      long classes = -1;
      long heapUsed = -1;
      StringBuilder log = new StringBuilder();
      for (String line; (line = out.readLine()) != null && !line.equals("ready"); ) {
        log.append(line).append('\n');
        if (line.startsWith("classes ")) {
          classes = Long.parseLong(line.substring(8).trim());
        } else if (line.startsWith("heapUsed ")) {
          heapUsed = Long.parseLong(line.substring(9).trim()) / 1024;
        }
      }
      if (classes < 0) {
        throw new IllegalStateException("the footprint application failed:\n" + log);
      }
      long rss = rssKb(p.pid());
      jcmd(p.pid(), "System.trim_native_heap");
      long rssTrimmed = rssKb(p.pid());
      String nmt = jcmd(p.pid(), "VM.native_memory", "summary");
      dump(name, nmt, classLog, p.pid());
      Map<String, Long> byCategory = new LinkedHashMap<>();
      Matcher m = Pattern.compile("(?m)^-\\s+(.+?) \\(reserved=\\d+KB, committed=(\\d+)KB\\)").matcher(nmt);
      while (m.find()) {
        byCategory.put(m.group(1).trim(), Long.parseLong(m.group(2)));
      }
      Matcher total = Pattern.compile("Total: reserved=\\d+KB, committed=(\\d+)KB").matcher(nmt);
      if (!total.find()) {
        throw new IllegalStateException("no NMT total in:\n" + nmt);
      }
      try (OutputStream in = p.getOutputStream()) {
        in.write('\n');
      }
      p.waitFor(10, TimeUnit.SECONDS);
      return new Result(name, rss, rssTrimmed, Long.parseLong(total.group(1)), heapUsed, byCategory, classes, origins(classLog));
    } finally {
      p.destroy();
      Files.deleteIfExists(classLog);
    }
  }

  /**
   * With {@code -Dcutover.footprint.dump=DIR}, keeps each JVM's whole NMT summary and class-load log
   * there ({@code nmt-NAME.txt}, {@code classes-NAME.log}, {@code smaps-NAME.txt}, {@code
   * histogram-NAME.txt}, taken after the figures): what the report's categories and counts
   * are made of, for finding which classes load and why.
   */
  private static void dump(String name, String nmt, Path classLog, long pid) throws Exception {
    String dir = System.getProperty("cutover.footprint.dump");
    if (dir == null) {
      return;
    }
    String file = name.replaceAll("[^A-Za-z0-9_]+", "-");
    Files.createDirectories(Path.of(dir));
    Files.writeString(Path.of(dir, "nmt-" + file + ".txt"), nmt);
    Files.copy(classLog, Path.of(dir, "classes-" + file + ".log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.copy(Path.of("/proc/" + pid + "/smaps"), Path.of(dir, "smaps-" + file + ".txt"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.writeString(Path.of(dir, "histogram-" + file + ".txt"), jcmd(pid, "GC.class_histogram"));
  }

  /** Loaded classes by {@link #ORIGINS} prefix, from {@code -Xlog:class+load}. */
  private static Map<String, Long> origins(Path classLog) throws IOException {
    Map<String, Long> out = new LinkedHashMap<>();
    ORIGINS.forEach(o -> out.put(o.isEmpty() ? "other" : o, 0L));
    Pattern loaded = Pattern.compile("\\[class,load\\] (\\S+) source:");
    for (String line : Files.readAllLines(classLog)) {
      Matcher m = loaded.matcher(line);
      if (m.find()) {
        String name = m.group(1);
        for (String o : ORIGINS) {
          if (name.startsWith(o)) {
            out.merge(o.isEmpty() ? "other" : o, 1L, Long::sum);
            break;
          }
        }
      }
    }
    return out;
  }

  private static long rssKb(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }

  private static String jcmd(long pid, String... command) throws Exception {
    List<String> line = new ArrayList<>();
    line.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
    line.add(Long.toString(pid));
    line.addAll(List.of(command));
    Process p = new ProcessBuilder(line).redirectErrorStream(true).start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(30, TimeUnit.SECONDS);
    return text;
  }

  /** {@code java -cp benchmarks/target/benchmarks.jar dev.cutover.benchmarks.Footprint [JDBC_SERVER_URL USER]}, from the repository root. */
  public static void main(String[] args) throws Exception {
    try (BenchDatabase db = new BenchDatabase(args.length > 0 ? args[0] : "jdbc:postgresql://127.0.0.1:5432/",
        args.length > 1 ? args[1] : "postgres")) {
      db.cutover("init");
      for (Result r : locate(db).run()) {
        System.out.println(r);
      }
    }
  }
}
