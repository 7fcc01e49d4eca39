package dev.cutover.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jooq.impl.DSL.count;
import static org.jooq.impl.DSL.excluded;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.select;
import static org.jooq.impl.DSL.table;

import dev.cutover.migration.Phase;
import dev.cutover.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.jooq.BatchBindStep;
import org.jooq.Configuration;
import org.jooq.DSLContext;
import org.jooq.ExecuteContext;
import org.jooq.ExecuteListener;
import org.jooq.Field;
import org.jooq.Query;
import org.jooq.Record;
import org.jooq.Result;
import org.jooq.ResultQuery;
import org.jooq.SQLDialect;
import org.jooq.Table;
import org.jooq.conf.Settings;
import org.jooq.conf.StatementType;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.jooq.impl.DefaultConfiguration;
import org.jooq.impl.DefaultExecuteListenerProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * ORM statements (issue 3): jOOQ ({@link SQLDialect#POSTGRES}) builds selects, inserts with
 * RETURNING, updates, deletes, upserts ({@code onConflict ... excluded}) and batches on
 * {@code users}, through the old and the new name, and executes them through the Cutover pool on
 * the migrating table and through the plain pool on the twin, the {@link Differential} way, at every
 * phase and inside transactions open across every phase change; with bind values (prepared
 * statements) and inlined ({@link StatementType#STATIC_STATEMENT}, plain statements). The SQL jOOQ
 * sent is recorded in {@code target/corpus-report.md}.
 */
class OrmDifferentialTest {

  @RegisterExtension static final TestDatabase db = new TestDatabase();

  @TempDir static Path dir;

  private static final Table<Record> USERS = table(name("users"));
  private static final Table<Record> TEAMS = table(name("teams"));
  private static final Field<Integer> ID = field(name("id"), Integer.class);
  private static final Field<Integer> SCORE = field(name("score"), Integer.class);
  private static final Field<String> FULL = field(name("full_name"), String.class);
  private static final Field<String> DISPLAY = field(name("display_name"), String.class);
  private static final Field<String> LEAD = field(name("lead_name"), String.class);

  /** How an operation's queries run. */
  private enum Kind { FETCH, EXECUTE, BATCH_BIND, BATCH }

  /**
   * One ORM operation: the queries it builds on a DSL context (bound to one side's connection, or
   * to none for rendering) and how they run; {@code binds} are the rows of a bound batch.
   */
  private record Op(String name, Kind kind, Function<DSLContext, Query[]> build, Object[]... binds) {
    Object exec(DSLContext x) {
      Query[] q = build.apply(x);
      return switch (kind) {
        case FETCH -> ((ResultQuery<?>) q[0]).fetch();
        case EXECUTE -> q[0].execute();
        case BATCH -> x.batch(q).execute();
        case BATCH_BIND -> {
          BatchBindStep batch = x.batch(q[0]);
          for (Object[] row : binds) {
            batch = batch.bind(row);
          }
          yield batch.execute();
        }
      };
    }
  }

  private final Set<String> sqlSeen = new LinkedHashSet<>();
  private final Set<String> keys = new LinkedHashSet<>();

  @Test
  void jooq_everyPhaseAndAcrossChanges_matchesTwin() throws Exception {
    DifferentialReport report = new DifferentialReport("ORM: jOOQ 3.19 (`SQLDialect.POSTGRES`)");
    try (Differential d = new Differential(db, dir, report, 1000, "orm")) {
      d.walk(new Differential.Workload() {
        @Override
        public void atPhase(Differential d, Phase phase, String where) throws Exception {
          try (Connection c = d.cutover.getConnection(); Connection t = d.plain.getConnection()) {
            Differential.Session s = new Differential.Session(c, t, false, where);
            runAll(d, s, StatementType.PREPARED_STATEMENT);
            runAll(d, s, StatementType.STATIC_STATEMENT);
            d.classify(keys, phase);
          }
        }

        @Override
        public void beforeChange(Differential d, Differential.Session s, boolean ddlFirst) throws Exception {
          if (!ddlFirst) { // every operation touches the migrating table
            runAll(d, s, StatementType.PREPARED_STATEMENT);
          }
        }

        @Override
        public void afterChange(Differential d, Differential.Session s) throws Exception {
          runAll(d, s, StatementType.PREPARED_STATEMENT);
        }
      });
    } finally {
      report.appendix("SQL jOOQ sent through the driver, with bind values (" + sqlSeen.stream()
          .filter(x -> x.contains("?")).count() + " distinct texts; the inlined forms are counted above)",
          sqlSeen.stream().filter(x -> x.contains("?")).toList());
      report.write("3-orm");
    }
    assertThat(sqlSeen).as("SQL jOOQ generated").hasSizeGreaterThan(30);
    assertThat(report.refusedWithoutMigratingTable()).isEmpty();
    assertThat(report.mismatches()).as("mismatches (target/corpus-report.md)").isEmpty();
  }

  private void runAll(Differential d, Differential.Session s, StatementType type) throws SQLException {
    String mode = type == StatementType.PREPARED_STATEMENT ? "jOOQ, bind values" : "jOOQ, inlined";
    for (Op op : ops(d)) {
      List<String> sent = new ArrayList<>();
      Differential.Action action = (c, twin) -> {
        List<String> log = twin ? new ArrayList<>() : sent;
        try {
          return outcome(op.exec(dsl(c, type, log)));
        } catch (DataAccessException e) {
          for (Throwable x = e; x != null; x = x.getCause()) {
            if (x instanceof SQLException se) {
              return Differential.Outcome.failed(se);
            }
          }
          throw e;
        }
      };
      Differential.Case k = new Differential.Case("jooq: " + op.name(), "orm/jooq", render(op, type), false, false);
      if (keys.add(k.sql())) {
        d.report.register(k.source(), k.category(), k.sql());
      }
      d.run(k, s, mode, "", action);
      sqlSeen.addAll(sent);
    }
  }

  /** The SQL of {@code op} as jOOQ renders it (the texts of a batch joined by {@code ;}). */
  private static String render(Op op, StatementType type) {
    DSLContext x = DSL.using(SQLDialect.POSTGRES, settings(type));
    List<String> texts = new ArrayList<>();
    for (Query q : op.build().apply(x)) {
      texts.add(type == StatementType.STATIC_STATEMENT && op.kind() != Kind.BATCH_BIND ? x.renderInlined(q) : x.render(q));
    }
    return String.join(";\n", texts);
  }

  private static Settings settings(StatementType type) {
    return new Settings().withStatementType(type).withRenderSchema(false);
  }

  private static DSLContext dsl(Connection c, StatementType type, List<String> log) {
    Configuration cfg = new DefaultConfiguration().set(c).set(SQLDialect.POSTGRES).set(settings(type))
        .set(new DefaultExecuteListenerProvider(new ExecuteListener() {
          @Override
          public void executeStart(ExecuteContext ctx) {
            log.add(ctx.batchSQL().length > 1 ? String.join(";\n", ctx.batchSQL()) : ctx.sql());
          }
        }));
    return DSL.using(cfg);
  }

  private static Differential.Outcome outcome(Object r) throws DataAccessException {
    List<Differential.Result> results = new ArrayList<>();
    if (r instanceof Result<?> result) {
      List<String> labels = new ArrayList<>();
      for (Field<?> f : result.fields()) {
        labels.add(f.getName());
      }
      List<List<Object>> rows = new ArrayList<>();
      for (Record rec : result) {
        List<Object> row = new ArrayList<>();
        for (Object v : rec.intoArray()) {
          try {
            row.add(Differential.normalise(v));
          } catch (SQLException e) {
            throw new DataAccessException("normalise", e);
          }
        }
        rows.add(row);
      }
      results.add(new Differential.Result(labels, rows, -1));
    } else if (r instanceof Integer n) {
      results.add(new Differential.Result(List.of(), List.of(), n));
    } else if (r instanceof int[] counts) {
      for (int n : counts) {
        results.add(new Differential.Result(List.of(), List.of(), n));
      }
    } else {
      throw new IllegalStateException("unexpected jOOQ result " + r);
    }
    return new Differential.Outcome(results, null, null, null);
  }

  /** The operations, with fresh keys for this run; each through the old and the new name. */
  private static List<Op> ops(Differential d) {
    List<Op> ops = new ArrayList<>();
    for (Field<String> n : List.of(FULL, DISPLAY)) {
      String nm = n.getName();
      Field<String> other = n == FULL ? DISPLAY : FULL;
      int a = d.ids.incrementAndGet();
      int b = d.ids.incrementAndGet();
      int c = d.ids.incrementAndGet();
      int e = d.ids.incrementAndGet();
      ops.add(fetch("select " + nm, x -> x.select(ID, n).from(USERS).where(ID.lt(8)).orderBy(ID)));
      ops.add(fetch("select where " + nm, x -> x.select(ID, n).from(USERS).where(n.eq("Ada Lovelace"))));
      ops.add(fetch("group by " + nm, x -> x.select(n, count()).from(USERS).groupBy(n).orderBy(n.asc().nullsFirst())));
      ops.add(fetch("distinct like " + nm, x -> x.selectDistinct(n).from(USERS).where(n.like("User 1%")).orderBy(n)));
      ops.add(fetch("ilike " + nm, x -> x.select(ID).from(USERS).where(n.likeIgnoreCase("%turing"))));
      ops.add(fetch("alias " + nm, x -> x.select(ID, n.as("label"), DSL.upper(n)).from(USERS).where(ID.between(3, 6))
          .orderBy(ID)));
      ops.add(fetch("join " + nm, x -> x.select(field(name("u", "id")), field(name("u", nm)), field(name("t", "name")))
          .from(USERS.as("u")).join(TEAMS.as("t")).on(field(name("t", "id")).eq(field(name("u", "team_id"))))
          .where(field(name("u", "id"), Integer.class).lt(6)).orderBy(field(name("u", "id")))));
      ops.add(fetch("in subquery " + nm, x -> x.select(ID).from(USERS).where(n.in(select(LEAD).from(TEAMS))).orderBy(ID)));
      ops.add(fetch("limit offset " + nm, x -> x.select(ID, n).from(USERS).orderBy(n.desc().nullsLast(), ID).limit(3)
          .offset(1)));
      ops.add(fetch("distinct from " + nm, x -> x.select(ID).from(USERS).where(n.isDistinctFrom("User 5")).and(ID.lt(8))
          .orderBy(ID)));
      ops.add(fetch("for update " + nm, x -> x.select(ID, n).from(USERS).where(ID.eq(9)).forUpdate().skipLocked()));
      ops.add(execute("insert " + nm, x -> x.insertInto(USERS, ID, n).values(a, "jOOQ " + a)));
      ops.add(fetch("insert returning " + nm, x -> x.insertInto(USERS, ID, n, SCORE).values(b, "jOOQ ret " + b, 2)
          .returningResult(ID, FULL, DISPLAY)));
      ops.add(execute("update " + nm, x -> x.update(USERS).set(n, "jOOQ upd " + a).where(ID.eq(5))));
      ops.add(fetch("update returning " + nm, x -> x.update(USERS).set(n, n.concat("!")).where(ID.eq(6))
          .returningResult(ID, n)));
      ops.add(execute("upsert " + nm, x -> x.insertInto(USERS, ID, n).values(7, "jOOQ upsert " + a)
          .onConflict(ID).doUpdate().set(n, excluded(n))));
      ops.add(fetch("upsert cross " + nm, x -> x.insertInto(USERS, ID, n).values(8, "jOOQ cross " + a)
          .onConflict(ID).doUpdate().set(other, excluded(n)).returningResult(ID, FULL, DISPLAY)));
      ops.add(execute("insert do nothing " + nm, x -> x.insertInto(USERS, ID, n).values(10, "ignored").onConflictDoNothing()));
      ops.add(new Op("batch bind " + nm, Kind.BATCH_BIND,
          x -> new Query[] {x.insertInto(USERS, ID, n).values((Integer) null, (String) null)},
          new Object[] {c, "jOOQ batch " + c}, new Object[] {e, "jOOQ batch 2"}));
      ops.add(fetch("delete returning " + nm, x -> x.deleteFrom(USERS).where(ID.eq(a)).returningResult(ID, n)));
      ops.add(execute("delete " + nm, x -> x.deleteFrom(USERS).where(n.eq("jOOQ batch 2"))));
    }
    ops.add(fetch("select *", x -> x.selectFrom(USERS).where(ID.le(3)).orderBy(ID)));
    ops.add(new Op("batch of statements", Kind.BATCH, x -> new Query[] {
        x.update(USERS).set(FULL, "jOOQ batch old").where(ID.eq(11)),
        x.update(USERS).set(DISPLAY, "jOOQ batch new").where(ID.eq(12)),
        x.update(TEAMS).set(LEAD, LEAD).where(field(name("id"), Integer.class).eq(1))}));
    ops.add(execute("both names", x -> x.update(USERS).set(FULL, "x").set(DISPLAY, "x").where(ID.eq(13))));
    return ops;
  }

  private static Op fetch(String name, Function<DSLContext, ResultQuery<?>> build) {
    return new Op(name, Kind.FETCH, x -> new Query[] {build.apply(x)});
  }

  private static Op execute(String name, Function<DSLContext, Query> build) {
    return new Op(name, Kind.EXECUTE, x -> new Query[] {build.apply(x)});
  }
}
