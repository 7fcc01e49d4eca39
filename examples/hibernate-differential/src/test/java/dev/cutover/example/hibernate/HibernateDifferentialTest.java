package dev.cutover.example.hibernate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.CutoverConnection;
import dev.cutover.cli.CutoverCommand;
import dev.cutover.example.hibernate.Entities.BatchCustomer;
import dev.cutover.example.hibernate.Entities.BatchCustomerV2;
import dev.cutover.example.hibernate.Entities.BatchPayment;
import dev.cutover.example.hibernate.Entities.Customer;
import dev.cutover.example.hibernate.Entities.CustomerV2;
import dev.cutover.example.hibernate.Entities.DefaultedCustomer;
import dev.cutover.example.hibernate.Entities.DefaultedCustomerV2;
import dev.cutover.example.hibernate.Entities.DoublePayment;
import dev.cutover.example.hibernate.Entities.Payment;
import dev.cutover.example.hibernate.Entities.PaymentV2;
import dev.cutover.testing.TestDatabase;
import jakarta.persistence.LockModeType;
import jakarta.persistence.criteria.CriteriaBuilder;
import jakarta.persistence.criteria.CriteriaQuery;
import jakarta.persistence.criteria.Root;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.hibernate.cfg.AvailableSettings;
import org.hibernate.cfg.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hibernate ORM 6 through Cutover, compared with Hibernate through plain pgjdbc. One workload runs
 * through two session factories: one through Cutover on schema {@code mig}, whose
 * {@code customer.full_name} is renamed to {@code display_name} and whose
 * {@code payment.amount numeric(10,2)} becomes {@code amount_cents bigint}; one through pgjdbc on
 * schema {@code twin}, whose tables never migrate (triggers keep a twin column under each new name
 * equal to the old one, so both mappings work there as written). At every phase, forward, back and
 * forward to {@code completed} (the second time through a lazy cut-over: {@code read_new} before
 * the backfill), and in a session whose transaction is open across every phase
 * change, everything the application sees must be equal: entities as loaded, generated keys,
 * {@code @Version} numbers, query results and counts, update counts, and errors (a stale
 * {@code @Version} must still end in an optimistic lock failure). A refusal ({@code 0A000}) is a
 * failure too.
 *
 * <p>The workload: IDENTITY inserts, batched inserts of entities with sequence keys, updates of
 * managed and merged entities with optimistic locking, removal, criteria queries with predicates and
 * ordering on the migrating columns and pagination, count and aggregate queries, JPQL bulk
 * {@code update} (also {@code update versioned}) and {@code delete}, native queries through either
 * name, pessimistic locks, a name left to the column's default and read back ({@code @Generated}),
 * and amounts bound as doubles. The SQL texts Hibernate sent through Cutover are written to
 * {@code target/hibernate-statements.sql}.
 */
class HibernateDifferentialTest {

  private static final String RENAME = "customer-name";
  private static final String CENTS = "payment-cents";
  private static final List<String> BOTH = List.of(RENAME, CENTS);

  private final TestDatabase db = new TestDatabase();
  private Side mig;
  private Side twin;
  /** A Cutover connection of the same driver runtime as {@link #mig}'s: it shows the epoch applied. */
  private Connection watch;
  private Connection admin;
  private String phase = "planned";
  private boolean backfilled;
  /** In read_new entered with {@code --lazy} before the backfill. */
  private boolean lazy;
  private int round;
  private int compared;
  private final List<String> mismatches = new ArrayList<>();
  private final Set<String> refusals = new LinkedHashSet<>();
  /** Every step and what Cutover's side saw (target/hibernate-transcript.txt), for reading a run. */
  private final StringBuilder transcript = new StringBuilder();

  /** One side of the comparison: a session factory, and the SQL texts Hibernate sent through it. */
  private static final class Side {
    final String name;
    final SessionFactory sf;
    final Set<String> sent = java.util.Collections.synchronizedSet(new LinkedHashSet<>());
    /** Values a step leaves for the next ones (keys, detached entities), per side. */
    final Map<String, Object> vars = new HashMap<>();
    /** The session held open across a phase change. */
    Session open;

    Side(String name, String url, TestDatabase db) {
      this.name = name;
      Configuration cfg = new Configuration();
      Entities.ALL.forEach(cfg::addAnnotatedClass);
      cfg.setProperty(AvailableSettings.JAKARTA_JDBC_URL, url);
      cfg.setProperty(AvailableSettings.JAKARTA_JDBC_USER, db.user());
      cfg.setProperty(AvailableSettings.JAKARTA_JDBC_PASSWORD, db.password());
      cfg.setProperty(AvailableSettings.POOL_SIZE, "3");
      cfg.setProperty(AvailableSettings.HBM2DDL_AUTO, "none");
      cfg.setProperty(AvailableSettings.STATEMENT_BATCH_SIZE, "10");
      cfg.setProperty(AvailableSettings.ORDER_INSERTS, "true");
      cfg.setProperty(AvailableSettings.ORDER_UPDATES, "true");
      cfg.setStatementInspector(sql -> {
        sent.add(sql);
        return sql;
      });
      sf = cfg.buildSessionFactory();
    }
  }

  @Test
  void hibernateThroughEveryPhaseAndAcrossEveryChange(@TempDir Path dir) throws Exception {
    db.create();
    try {
      createTables();
      cli("init");
      Path rename = dir.resolve("rename.yaml");
      Files.writeString(rename, "id: " + RENAME + "\ntable: mig.customer\nrename: {from: full_name, to: display_name}\n");
      Path cents = dir.resolve("cents.yaml");
      Files.writeString(cents, "id: " + CENTS + "\ntable: mig.payment\nchangeType:\n  column: amount\n"
          + "  to: amount_cents\n  type: bigint\n  up: \"(amount * 100)::bigint\"\n  down: \"amount_cents / 100.0\"\n");
      cli("plan", rename.toString());
      cli("plan", cents.toString());
      // prepareThreshold=1: every statement is server-prepared at its first execution, and pgjdbc keeps
      // it per connection, so statements prepared in one phase meet the tables of the next.
      // reWriteBatchedInserts=true (a common setting with Hibernate): pgjdbc sends a batch of inserts
      // as multi-row VALUES, built from the text Cutover rewrote.
      String pg = "prepareThreshold=1&reWriteBatchedInserts=true";
      String cutoverUrl = db.cutoverUrl() + "?currentSchema=mig&" + pg + "&cutover.refreshMillis=100";
      mig = new Side("cutover", cutoverUrl, db);
      twin = new Side("twin", db.plainUrl() + "?currentSchema=twin&" + pg, db);
      watch = DriverManager.getConnection(cutoverUrl, db.properties());
      admin = db.plainConnection();
      try {
        walk();
      } finally {
        mig.sf.close();
        twin.sf.close();
        watch.close();
        admin.close();
      }
    } finally {
      db.drop();
    }
    writeStatements();
    assertThat(refusals).as("statements Cutover refused").isEmpty();
    assertThat(mismatches).as("differences between Hibernate through Cutover and through pgjdbc on the twin")
        .isEmpty();
    assertThat(compared).as("steps compared").isGreaterThan(400);
  }

  // ---------------------------------------------------------------- the walk

  /**
   * Both migrations through planned, dual_write (before and after the backfill), read_new,
   * new_only, back to read_new, dual_write and planned, and forward again to completed; the
   * workload at every stop and a session open across every change.
   */
  private void walk() throws Exception {
    stop();
    change("advance", "dual_write");
    stop();
    for (String id : BOTH) {
      cli("backfill", id);
    }
    backfilled = true;
    stop();
    change("advance", "read_new");
    stop();
    change("advance", "new_only");
    stop();
    change("rollback", "read_new");
    stop();
    change("rollback", "dual_write");
    stop();
    change("rollback", "planned");
    backfilled = false;
    stop();
    change("advance", "dual_write");
    // The second time round, read_new before the backfill (the lazy cut-over): reads take the new
    // column where it is filled, else the old one.
    lazy = true;
    change("advance", "read_new", "--lazy");
    stop();
    for (String id : BOTH) {
      cli("backfill", id);
      cli("verify", id);
    }
    backfilled = true;
    change("advance", "new_only");
    lazy = false;
    stop();
    change("advance", "completed");
    stop();
  }

  /** The workload at the current phase, then the state of both sides compared. */
  private void stop() throws SQLException {
    long t0 = System.nanoTime();
    for (String id : BOTH) {
      assertThat(phaseOf(id)).as(id).isEqualTo(phase);
    }
    workload("at " + phase + (lazy ? " (lazily cut over)" : "")
        + (backfilled || phase.equals("planned") ? "" : " (before the backfill)"));
    compareState("at " + phase);
    transcript.append(String.format("-- the stop at %s took %d ms%n", phase, (System.nanoTime() - t0) / 1_000_000));
  }

  /**
   * Changes both migrations' phase, each while a session of each side holds a transaction open:
   * work before the change (unless the change begins with DDL that the open transaction's locks
   * would block), the change seen by the driver, work after it in the same transaction, commit.
   */
  private void change(String verb, String to, String... extra) throws Exception {
    for (String id : BOTH) {
      // DDL before the phase change: adding the columns, the swap at completed, and on the way back
      // to planned dropping the new column's default (a driver at planned would fill it otherwise).
      boolean ddlFirst = verb.equals("advance") && (to.equals("dual_write") || to.equals("completed"))
          || verb.equals("rollback") && to.equals("planned");
      List<String> args = new ArrayList<>(List.of(verb, id, "--to", to, "--wait", "120s"));
      args.addAll(List.of(extra));
      if (to.equals("completed")) {
        args.add("--force"); // the application still uses the old names: the quiet period would refuse
      }
      String where = verb + " " + id + " to " + to + ", in a session open across the change";
      long t0 = System.nanoTime();
      round++;
      for (Side s : sides()) {
        s.open = s.sf.openSession();
        s.open.beginTransaction();
      }
      try {
        if (!ddlFirst) {
          acrossBefore("before " + where);
        }
        long epoch = epoch();
        CompletableFuture<Integer> change = CompletableFuture.supplyAsync(() -> cliCode(args.toArray(String[]::new)));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (epoch() == epoch && System.nanoTime() < deadline && !change.isDone()) {
          Thread.sleep(20);
        }
        assertThat(epoch()).as("the driver saw `cutover %s` while a session was open (exit code %s)",
            String.join(" ", args), change.isDone() ? change.get() : "none yet").isNotEqualTo(epoch);
        acrossAfter("after " + where);
        if (!ddlFirst) {
          assertThat(change).as("%s: the change waits for the open transaction", where).isNotDone();
        }
        same("after " + where, "commit", s -> {
          s.open.getTransaction().commit();
          return "committed";
        });
        assertThat(change.get(120, TimeUnit.SECONDS)).as("cutover %s", String.join(" ", args)).isZero();
      } finally {
        for (Side s : sides()) {
          if (s.open.getTransaction().isActive()) {
            s.open.getTransaction().rollback();
          }
          s.open.close();
          s.open = null;
        }
      }
      assertThat(phaseOf(id)).isEqualTo(to);
      transcript.append(String.format("-- %s took %d ms%n", where, (System.nanoTime() - t0) / 1_000_000));
    }
    phase = to;
    compareState("after " + verb + " to " + to);
  }

  // ---------------------------------------------------------------- the workload

  /** Every kind of operation once, with values of their own (a prefix per round). */
  private void workload(String where) {
    round++;
    String p = "r" + round;
    // IDENTITY keys: Hibernate inserts row by row and reads each key back.
    same(where, "persist with IDENTITY keys", s -> inTx(s, x -> {
      Customer a = new Customer(p + "-a", p + "a@example.com");
      Customer b = new Customer(p + "-b", p + "b@example.com");
      CustomerV2 c = new CustomerV2(p + "-c", p + "c@example.com");
      x.persist(a);
      x.persist(b);
      x.persist(c);
      Payment pa = new Payment(a.id, new BigDecimal("12.34"));
      PaymentV2 pc = new PaymentV2(c.id, 5678L);
      x.persist(pa);
      x.persist(pc);
      s.vars.put("a", a.id);
      s.vars.put("b", b.id);
      s.vars.put("c", c.id);
      s.vars.put("pa", pa.id);
      s.vars.put("pc", pc.id);
      return List.of(a, b, c, pa, pc);
    }));
    // The name from the column's default, read back with the key (@Generated).
    same(where, "persist with the name from the default", s -> inTx(s, x -> {
      DefaultedCustomer d = new DefaultedCustomer(p + "d@example.com");
      DefaultedCustomerV2 e = new DefaultedCustomerV2(p + "e@example.com");
      x.persist(d);
      x.persist(e);
      x.flush();
      return List.of(d, e, x.createQuery("select c.fullName, c.email from Customer c where c.id in (:ids) order by c.id",
          Object[].class).setParameter("ids", List.of(d.id, e.id)).getResultList());
    }));
    // Amounts bound as float8 on half-cent boundaries (1.005 is 1.00499999... as a double).
    same(where, "persist and update amounts bound as doubles", s -> inTx(s, x -> {
      List<Long> ids = new ArrayList<>();
      for (double d : new double[] {1.005, 2.675, 0.285, 1.015, 99999.995}) {
        DoublePayment dp = new DoublePayment((Long) s.vars.get("a"), d);
        x.persist(dp);
        ids.add(dp.id);
      }
      x.flush();
      DoublePayment first = x.find(DoublePayment.class, ids.get(0));
      first.amount = 8.125;
      x.flush();
      x.clear();
      return List.of(x.createQuery("from PaymentV2 p where p.id in (:ids) order by p.id", PaymentV2.class)
          .setParameter("ids", ids).getResultList(),
          x.createQuery("from DoublePayment p where p.id in (:ids) order by p.id", DoublePayment.class)
          .setParameter("ids", ids).getResultList());
    }));
    // Sequence keys: one JDBC batch per entity (hibernate.jdbc.batch_size).
    same(where, "batched inserts", s -> inTx(s, x -> {
      List<Object> all = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        all.add(new BatchCustomer(p + "-batch-" + i, p + "batch@example.com"));
        all.add(new BatchPayment((Long) s.vars.get("a"), new BigDecimal(i + ".05")));
      }
      for (int i = 0; i < 3; i++) {
        all.add(new BatchCustomerV2(p + "-batch-v2-" + i, p + "batch@example.com"));
      }
      all.forEach(x::persist);
      x.flush();
      s.vars.put("batch", ((BatchCustomer) all.get(0)).id);
      s.vars.put("batchV2", ((BatchCustomerV2) all.get(12)).id);
      return all;
    }));
    same(where, "find under both mappings", s -> inTx(s, x -> List.of(
        x.find(Customer.class, s.vars.get("a")), x.find(CustomerV2.class, s.vars.get("a")),
        x.find(Customer.class, s.vars.get("c")), x.find(CustomerV2.class, s.vars.get("c")),
        x.find(BatchCustomer.class, s.vars.get("batchV2")), x.find(BatchCustomerV2.class, s.vars.get("batch")),
        x.find(Payment.class, s.vars.get("pc")), x.find(PaymentV2.class, s.vars.get("pa")))));

    // Updates of managed entities: the version goes up by one.
    same(where, "update managed entities", s -> inTx(s, x -> {
      Customer a = x.find(Customer.class, s.vars.get("a"));
      a.fullName = p + "-a-renamed";
      CustomerV2 b = x.find(CustomerV2.class, s.vars.get("b"));
      b.displayName = p + "-b-renamed";
      Payment pa = x.find(Payment.class, s.vars.get("pa"));
      pa.amount = pa.amount.add(new BigDecimal("1.01"));
      PaymentV2 pc = x.find(PaymentV2.class, s.vars.get("pc"));
      pc.amountCents = pc.amountCents + 7;
      x.flush();
      s.vars.put("staleA", copy(a));
      return List.of(a, b, pa, pc);
    }));
    // merge of a detached entity: current version succeeds, a stale one fails.
    same(where, "merge a detached entity", s -> inTx(s, x -> {
      Customer a = copy((Customer) s.vars.get("staleA"));
      a.email = p + "-merged@example.com";
      Customer merged = x.merge(a);
      x.flush();
      return merged;
    }));
    same(where, "merge a stale detached entity", s -> inTx(s, x -> {
      Customer stale = copy((Customer) s.vars.get("staleA"));
      stale.fullName = p + "-lost-update";
      x.merge(stale);
      x.flush();
      return "merged";
    }));
    expectOptimisticLockFailure(where, "merge a stale detached entity");
    // Two sessions load the same row; the second to commit loses.
    same(where, "concurrent update of a versioned row", s -> {
      try (Session first = s.sf.openSession(); Session second = s.sf.openSession()) {
        first.beginTransaction();
        second.beginTransaction();
        CustomerV2 one = first.find(CustomerV2.class, s.vars.get("b"));
        Customer two = second.find(Customer.class, s.vars.get("b"));
        two.fullName = p + "-b-second";
        second.getTransaction().commit();
        one.displayName = p + "-b-first";
        try {
          first.getTransaction().commit();
        } finally {
          if (first.getTransaction().isActive()) {
            first.getTransaction().rollback();
          }
        }
        return "both committed";
      }
    });
    expectOptimisticLockFailure(where, "concurrent update of a versioned row");
    // Batched versioned updates (hibernate.order_updates): one stale row in the batch fails it.
    same(where, "batched versioned updates", s -> inTx(s, x -> {
      List<BatchCustomer> rows = x.createQuery("from BatchCustomer c where c.email = :e order by c.id",
          BatchCustomer.class).setParameter("e", p + "batch@example.com").getResultList();
      rows.forEach(c -> c.fullName = c.fullName + "-upd");
      x.flush();
      return rows;
    }));
    same(where, "batched versioned updates, one of them stale", s -> {
      try (Session first = s.sf.openSession()) {
        first.beginTransaction();
        List<BatchCustomer> rows = first.createQuery("from BatchCustomer c where c.email = :e order by c.id",
            BatchCustomer.class).setParameter("e", p + "batch@example.com").getResultList();
        s.sf.inTransaction(other -> other.find(BatchCustomerV2.class, rows.get(2).id).displayName = p + "-other");
        rows.forEach(c -> c.fullName = c.fullName + "-lost");
        try {
          first.getTransaction().commit();
        } finally {
          if (first.getTransaction().isActive()) {
            first.getTransaction().rollback();
          }
        }
        return "committed";
      }
    });
    expectOptimisticLockFailure(where, "batched versioned updates, one of them stale");
    same(where, "optimistic force increment", s -> inTx(s, x -> {
      Customer c = x.find(Customer.class, s.vars.get("c"), LockModeType.OPTIMISTIC_FORCE_INCREMENT);
      x.flush();
      return c;
    }));
    // HQL insert ... select with the migrating column on both sides.
    same(where, "HQL insert from select", s -> inTx(s, x -> x.createMutationQuery(
        "insert into Customer (fullName, email, version) select concat(c.displayName, '-copy'), c.email, 0"
            + " from CustomerV2 c where c.id = :id")
        .setParameter("id", s.vars.get("c")).executeUpdate()));
    // Native SELECT * mapped to each entity: the columns are found by name.
    same(where, "native select * as entities", s -> inTx(s, x -> List.of(
        x.createNativeQuery("select * from customer where id = :id", Customer.class)
            .setParameter("id", s.vars.get("b")).getResultList(),
        x.createNativeQuery("select * from customer where id = :id", CustomerV2.class)
            .setParameter("id", s.vars.get("b")).getResultList(),
        x.createNativeQuery("select p.* from payment p where p.id = :id", Payment.class)
            .setParameter("id", s.vars.get("pa")).getResultList(),
        x.createNativeQuery("select p.* from payment p where p.id = :id", PaymentV2.class)
            .setParameter("id", s.vars.get("pa")).getResultList())));
    same(where, "remove a versioned entity", s -> inTx(s, x -> {
      BatchCustomer gone = x.find(BatchCustomer.class, (Long) s.vars.get("batch") + 1);
      x.remove(gone);
      x.flush();
      return x.find(BatchCustomer.class, (Long) s.vars.get("batch") + 1) == null ? "removed" : "still there";
    }));
    same(where, "pessimistic lock", s -> inTx(s, x -> List.of(
        x.find(Customer.class, s.vars.get("a"), LockModeType.PESSIMISTIC_WRITE),
        x.find(PaymentV2.class, s.vars.get("pa"), LockModeType.PESSIMISTIC_READ))));

    // Criteria queries: predicates and ordering on the migrating columns, pagination.
    same(where, "criteria: old name, like, order desc, offset and limit", s -> inTx(s, x -> {
      CriteriaBuilder cb = x.getCriteriaBuilder();
      CriteriaQuery<Customer> q = cb.createQuery(Customer.class);
      Root<Customer> r = q.from(Customer.class);
      q.where(cb.like(r.get("fullName"), p + "-%")).orderBy(cb.desc(r.get("fullName")), cb.asc(r.get("id")));
      return x.createQuery(q).setFirstResult(1).setMaxResults(4).getResultList();
    }));
    same(where, "criteria: new name, in and is null, order asc, limit", s -> inTx(s, x -> {
      CriteriaBuilder cb = x.getCriteriaBuilder();
      CriteriaQuery<CustomerV2> q = cb.createQuery(CustomerV2.class);
      Root<CustomerV2> r = q.from(CustomerV2.class);
      q.where(cb.or(r.get("displayName").in(p + "-c", p + "-batch-2", "seed-3"), cb.isNull(r.get("displayName"))))
          .orderBy(cb.asc(r.get("displayName")), cb.asc(r.get("id")));
      return x.createQuery(q).setMaxResults(5).getResultList();
    }));
    same(where, "criteria: amount between, order by amount, page 2", s -> inTx(s, x -> {
      CriteriaBuilder cb = x.getCriteriaBuilder();
      CriteriaQuery<Payment> q = cb.createQuery(Payment.class);
      Root<Payment> r = q.from(Payment.class);
      q.where(cb.between(r.get("amount"), new BigDecimal("1.00"), new BigDecimal("15.50")))
          .orderBy(cb.desc(r.get("amount")), cb.asc(r.get("id")));
      return x.createQuery(q).setFirstResult(3).setMaxResults(3).getResultList();
    }));
    same(where, "criteria: cents at least, order by cents", s -> inTx(s, x -> {
      CriteriaBuilder cb = x.getCriteriaBuilder();
      CriteriaQuery<PaymentV2> q = cb.createQuery(PaymentV2.class);
      Root<PaymentV2> r = q.from(PaymentV2.class);
      q.where(cb.ge(r.get("amountCents"), 300L), cb.equal(r.get("customerId"), s.vars.get("a")))
          .orderBy(cb.asc(r.get("amountCents")), cb.asc(r.get("id")));
      return x.createQuery(q).setMaxResults(10).getResultList();
    }));
    same(where, "criteria: functions of the columns, a subquery", s -> inTx(s, x -> {
      CriteriaBuilder cb = x.getCriteriaBuilder();
      CriteriaQuery<Object[]> q = cb.createQuery(Object[].class);
      Root<Customer> r = q.from(Customer.class);
      var sub = q.subquery(Long.class);
      Root<Payment> pay = sub.from(Payment.class);
      sub.select(pay.get("id")).where(cb.equal(pay.get("customerId"), r.get("id")), cb.gt(pay.get("amount"), new BigDecimal("5")));
      q.multiselect(r.get("id"), cb.upper(r.get("fullName")), cb.length(r.get("fullName")),
          cb.coalesce(r.<String>get("fullName"), "(none)"))
          .where(cb.or(cb.like(cb.lower(r.get("fullName")), "seed-1%"), cb.isNull(r.get("fullName")), cb.exists(sub)))
          .orderBy(cb.asc(cb.coalesce(r.<String>get("fullName"), "~")), cb.asc(r.get("id")));
      return x.createQuery(q).setFirstResult(2).setMaxResults(6).getResultList();
    }));
    same(where, "JPQL: case on the amount, grouped", s -> inTx(s, x -> x.createQuery(
        "select case when p.amount >= 10 then 'big' else 'small' end, count(p), min(p.amount) from Payment p"
            + " group by 1 order by 1", Object[].class).getResultList()));
    same(where, "criteria: count", s -> inTx(s, x -> {
      CriteriaBuilder cb = x.getCriteriaBuilder();
      CriteriaQuery<Long> q = cb.createQuery(Long.class);
      Root<Customer> r = q.from(Customer.class);
      q.select(cb.count(r)).where(cb.like(r.get("fullName"), p + "%"), cb.isNotNull(r.get("email")));
      return x.createQuery(q).getSingleResult();
    }));
    same(where, "criteria: sum and max of cents", s -> inTx(s, x -> {
      CriteriaBuilder cb = x.getCriteriaBuilder();
      CriteriaQuery<Object[]> q = cb.createQuery(Object[].class);
      Root<PaymentV2> r = q.from(PaymentV2.class);
      q.multiselect(cb.sum(r.<Long>get("amountCents")), cb.max(r.<Long>get("amountCents")), cb.count(r));
      return Arrays.asList(x.createQuery(q).getSingleResult());
    }));
    same(where, "JPQL: count with like", s -> inTx(s, x -> x.createQuery(
        "select count(c) from CustomerV2 c where c.displayName like :n", Long.class)
        .setParameter("n", p + "-batch%").getSingleResult()));
    same(where, "JPQL: group by the renamed column, paged", s -> inTx(s, x -> x.createQuery(
        "select c.fullName, count(c), max(c.version) from Customer c where c.email like :e group by c.fullName"
            + " order by c.fullName", Object[].class)
        .setParameter("e", p + "%").setFirstResult(1).setMaxResults(5).getResultList()));
    same(where, "JPQL: sum of amounts per customer", s -> inTx(s, x -> x.createQuery(
        "select p.customerId, sum(p.amount), avg(p.amount) from Payment p where p.customerId = :c"
            + " group by p.customerId", Object[].class)
        .setParameter("c", s.vars.get("a")).getResultList()));
    same(where, "JPQL: join of both mappings", s -> inTx(s, x -> x.createQuery(
        "select c.displayName, p.amount from CustomerV2 c join Payment p on p.customerId = c.id"
            + " where c.id = :a order by p.amount desc, p.id", Object[].class)
        .setParameter("a", s.vars.get("a")).setMaxResults(3).getResultList()));

    // JPQL bulk update and delete.
    same(where, "JPQL: bulk update through the old name", s -> inTx(s, x -> x.createMutationQuery(
        "update Customer c set c.fullName = concat(c.fullName, '!') where c.email = :e")
        .setParameter("e", p + "batch@example.com").executeUpdate()));
    same(where, "JPQL: update versioned through the new name", s -> inTx(s, x -> x.createMutationQuery(
        "update versioned CustomerV2 c set c.displayName = upper(c.displayName) where c.displayName like :n")
        .setParameter("n", p + "-batch-v2%").executeUpdate()));
    same(where, "JPQL: bulk update of cents", s -> inTx(s, x -> x.createMutationQuery(
        "update PaymentV2 p set p.amountCents = p.amountCents * 2 + 1 where p.customerId = :c and p.amountCents < 300")
        .setParameter("c", s.vars.get("a")).executeUpdate()));
    same(where, "JPQL: bulk update of amounts", s -> inTx(s, x -> x.createMutationQuery(
        "update Payment p set p.amount = p.amount + 0.10, p.version = p.version + 1 where p.amount > :m and p.customerId = :c")
        .setParameter("m", new BigDecimal("3")).setParameter("c", s.vars.get("a")).executeUpdate()));
    same(where, "JPQL: bulk delete by the new name", s -> inTx(s, x -> x.createMutationQuery(
        "delete from CustomerV2 c where c.displayName = :n")
        .setParameter("n", p + "-batch-5-upd!").executeUpdate()));
    same(where, "JPQL: bulk delete by amount", s -> inTx(s, x -> x.createMutationQuery(
        "delete from BatchPayment p where p.amount = :a and p.customerId = :c")
        .setParameter("a", new BigDecimal("2.11")).setParameter("c", s.vars.get("a")).executeUpdate()));

    // Native queries through either name.
    same(where, "native: the old name", s -> inTx(s, x -> x.createNativeQuery(
        "select full_name, version from customer where id = :id", Object[].class)
        .setParameter("id", s.vars.get("c")).getResultList()));
    same(where, "native: the new names", s -> inTx(s, x -> x.createNativeQuery(
        "select c.display_name, p.amount_cents from customer c join payment p on p.customer_id = c.id"
            + " where c.id = :id order by p.amount_cents", Object[].class)
        .setParameter("id", s.vars.get("a")).getResultList()));
    same(where, "native: update through the new name", s -> inTx(s, x -> x.createNativeMutationQuery(
        "update payment set amount_cents = amount_cents + 1, version = version + 1 where id = :id")
        .setParameter("id", s.vars.get("pa")).executeUpdate()));
  }

  /** The open sessions' work before a phase change. */
  private void acrossBefore(String where) {
    round++;
    String p = "x" + round;
    same(where, "persist and modify in the open transaction", s -> {
      Session x = s.open;
      Customer a = new Customer(p + "-a", p + "a@example.com");
      x.persist(a);
      s.vars.put("xa", a.id);
      Customer seed = x.find(Customer.class, 1L + round % 20);
      seed.fullName = p + "-seed";
      s.vars.put("xseed", seed.id);
      Payment pay = x.find(Payment.class, 1L + round % 20);
      pay.amount = pay.amount.add(new BigDecimal("0.01"));
      s.vars.put("xpay", pay.id);
      // The query flushes the two updates first.
      return List.of(a, x.createQuery("from Customer c where c.fullName like :n order by c.id", Customer.class)
          .setParameter("n", p + "%").getResultList());
    });
  }

  /** The open sessions' work after the driver has seen the phase change, before commit. */
  private void acrossAfter(String where) {
    String p = "x" + round;
    same(where, "batched inserts in the open transaction", s -> {
      Session x = s.open;
      List<Object> all = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        all.add(new BatchCustomer(p + "-batch-" + i, p + "batch@example.com"));
        all.add(new BatchCustomerV2(p + "-batch-v2-" + i, p + "batch@example.com"));
        all.add(new BatchPayment(1L, new BigDecimal("7." + i)));
      }
      all.forEach(x::persist);
      x.flush();
      return all;
    });
    same(where, "read back in the open transaction", s -> {
      Session x = s.open;
      List<Object> out = new ArrayList<>();
      out.add(x.createQuery("select c.displayName, c.version from CustomerV2 c where c.email like :e order by c.id",
          Object[].class).setParameter("e", p + "%").getResultList());
      out.add(x.createQuery("select p.amountCents from PaymentV2 p where p.amountCents between 700 and 702"
          + " order by p.amountCents desc, p.id", Long.class).setMaxResults(4).getResultList());
      if (s.vars.get("xseed") != null) {
        out.add(x.createQuery("select c.displayName, c.version from CustomerV2 c where c.id = :id", Object[].class)
            .setParameter("id", s.vars.get("xseed")).getResultList());
        out.add(x.createQuery("select p.amountCents, p.version from PaymentV2 p where p.id = :id", Object[].class)
            .setParameter("id", s.vars.get("xpay")).getResultList());
      }
      return out;
    });
    same(where, "update in the open transaction", s -> {
      Session x = s.open;
      CustomerV2 c = x.find(CustomerV2.class, 2L + round % 20);
      c.displayName = p + "-v2";
      PaymentV2 pay = x.find(PaymentV2.class, 2L + round % 20);
      pay.amountCents = pay.amountCents + 3;
      x.flush();
      return x.createQuery("select c.fullName, c.version from Customer c where c.id = :id", Object[].class)
          .setParameter("id", c.id).getResultList();
    });
    for (Side s : sides()) {
      s.vars.remove("xseed");
      s.vars.remove("xpay");
    }
  }

  /** Every row of both tables under every mapping, and the physical columns of {@code mig}. */
  private void compareState(String where) throws SQLException {
    same(where, "every customer", s -> inTx(s, x -> List.of(
        x.createQuery("from Customer order by id", Customer.class).getResultList(),
        x.createQuery("from CustomerV2 order by id", CustomerV2.class).getResultList())));
    same(where, "every payment", s -> inTx(s, x -> List.of(
        x.createQuery("from Payment order by id", Payment.class).getResultList(),
        x.createQuery("from PaymentV2 order by id", PaymentV2.class).getResultList())));
    // Physically: the column the phase reads holds the twin's values; both columns agree while both are written.
    boolean readsNew = !List.of("planned", "dual_write").contains(phase);
    String name = lazy ? "coalesce(display_name, full_name)" : readsNew ? "display_name" : "full_name";
    String cents = lazy ? "coalesce(amount_cents, (amount * 100)::bigint)"
        : readsNew ? "amount_cents" : "(amount * 100)::bigint";
    String migState = text("SELECT string_agg(concat_ws('|', id, " + name + ", email, version), E'\\n' ORDER BY id)"
        + " FROM mig.customer") + "\n" + text("SELECT string_agg(concat_ws('|', id, customer_id, " + cents + ", version),"
        + " E'\\n' ORDER BY id) FROM mig.payment");
    String twinState = text("SELECT string_agg(concat_ws('|', id, full_name, email, version), E'\\n' ORDER BY id)"
        + " FROM twin.customer") + "\n" + text("SELECT string_agg(concat_ws('|', id, customer_id, amount_cents, version),"
        + " E'\\n' ORDER BY id) FROM twin.payment");
    compared++;
    if (!migState.equals(twinState)) {
      mismatches.add("[" + where + "] the tables differ\n  mig:  " + migState.replace("\n", "\n        ")
          + "\n  twin: " + twinState.replace("\n", "\n        "));
    }
    if (backfilled && List.of("dual_write", "read_new").contains(phase)) {
      compared++;
      String split = text("SELECT string_agg(id || '', ',') FROM mig.customer WHERE full_name IS DISTINCT FROM display_name")
          + " / " + text("SELECT string_agg(id || '', ',') FROM mig.payment"
          + " WHERE amount_cents IS DISTINCT FROM (amount * 100)::bigint");
      if (!split.equals("null / null")) {
        mismatches.add("[" + where + "] rows whose two columns differ (customer / payment): " + split);
      }
    }
  }

  // ---------------------------------------------------------------- comparing

  /** Runs {@code op} on each side and records a mismatch when what the application sees differs. */
  private void same(String where, String what, Function<Side, Object> op) {
    String[] seen = new String[2];
    int i = 0;
    for (Side s : sides()) {
      String out;
      try {
        out = render(op.apply(s));
      } catch (RuntimeException e) {
        out = error(e, s, where + ": " + what);
      }
      seen[i++] = out;
      s.vars.put("last", out);
    }
    compared++;
    transcript.append('[').append(where).append("] ").append(what).append("\n  ").append(seen[0]).append('\n');
    if (!seen[0].equals(seen[1])) {
      mismatches.add("[" + where + "] " + what + "\n  cutover: " + seen[0] + "\n  twin:    " + seen[1]);
    }
  }

  private void expectOptimisticLockFailure(String where, String what) {
    for (Side s : sides()) {
      compared++;
      if (!((String) s.vars.get("last")).contains("OptimisticLock")) {
        mismatches.add("[" + where + "] " + what + " on " + s.name + ": no optimistic lock failure but "
            + s.vars.get("last"));
      }
    }
  }

  /** An error as the application tells errors apart: the exception types and the SQLSTATE. */
  private String error(RuntimeException e, Side s, String where) {
    List<String> types = new ArrayList<>();
    String state = null;
    for (Throwable t = e; t != null && types.size() < 6; t = t.getCause()) {
      types.add(t.getClass().getSimpleName());
      if (t instanceof SQLException sql && state == null) {
        state = sql.getSQLState();
        if ("0A000".equals(state) && s == mig) {
          refusals.add("[" + where + "] " + sql.getMessage());
        }
      }
    }
    return "error " + String.join(" < ", types) + (state == null ? "" : " " + state);
  }

  private static String render(Object o) {
    if (o instanceof List<?> list) {
      return list.stream().map(HibernateDifferentialTest::render).collect(Collectors.joining(", ", "[", "]"));
    }
    if (o instanceof Object[] array) {
      return render(Arrays.asList(array));
    }
    if (o instanceof BigDecimal d) {
      return d.toPlainString();
    }
    return String.valueOf(o);
  }

  private static Object inTx(Side s, Function<Session, Object> work) {
    return s.sf.fromTransaction(work);
  }

  private static Customer copy(Customer c) {
    Customer out = new Customer(c.fullName, c.email);
    out.id = c.id;
    out.version = c.version;
    return out;
  }

  private List<Side> sides() {
    return List.of(mig, twin);
  }

  // ---------------------------------------------------------------- the database

  private void createTables() throws SQLException {
    try (Connection c = db.plainConnection(); Statement st = c.createStatement()) {
      for (String schema : List.of("mig", "twin")) {
        boolean isTwin = schema.equals("twin");
        st.execute("CREATE SCHEMA " + schema);
        st.execute("SET search_path = " + schema);
        st.execute("CREATE TABLE customer (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
            + " full_name text DEFAULT 'anonymous',"
            + " email text, version bigint NOT NULL DEFAULT 0"
            // The twin's display_name defaults to a marker: an INSERT that names it is told apart from one that does not.
            + (isTwin ? ", display_name text DEFAULT E'\\u0001unset'" : "") + ")");
        st.execute("CREATE INDEX ON customer (full_name)");
        st.execute("CREATE TABLE payment (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
            + " customer_id bigint REFERENCES customer(id) ON DELETE SET NULL, amount numeric(10,2),"
            + " version bigint NOT NULL DEFAULT 0" + (isTwin ? ", amount_cents bigint" : "") + ")");
        // Keys of the batch importers' mappings: far from the IDENTITY keys, in blocks of allocationSize.
        st.execute("CREATE SEQUENCE customer_seq START 100000 INCREMENT 20");
        st.execute("CREATE SEQUENCE payment_seq START 100000 INCREMENT 20");
        if (isTwin) {
          // Whichever name a write sets wins, the other follows: both mappings work as written (an
          // INSERT naming neither takes full_name's default).
          st.execute("""
              CREATE FUNCTION sync_customer() RETURNS trigger LANGUAGE plpgsql AS $$
              BEGIN
                IF TG_OP = 'INSERT' THEN
                  IF NEW.display_name IS DISTINCT FROM E'\\u0001unset' THEN
                    NEW.full_name := NEW.display_name;
                  END IF;
                  NEW.display_name := NEW.full_name;
                ELSIF NEW.display_name IS DISTINCT FROM OLD.display_name THEN
                  NEW.full_name := NEW.display_name;
                ELSE
                  NEW.display_name := NEW.full_name;
                END IF;
                RETURN NEW;
              END $$""");
          st.execute("CREATE TRIGGER sync_customer BEFORE INSERT OR UPDATE ON customer"
              + " FOR EACH ROW EXECUTE FUNCTION sync_customer()");
          // The migration's up and down expressions, as the trigger of the type change.
          st.execute("""
              CREATE FUNCTION sync_payment() RETURNS trigger LANGUAGE plpgsql AS $$
              BEGIN
                IF TG_OP = 'INSERT' THEN
                  IF NEW.amount IS NULL THEN NEW.amount := NEW.amount_cents / 100.0; END IF;
                  NEW.amount_cents := (NEW.amount * 100)::bigint;
                ELSIF NEW.amount_cents IS DISTINCT FROM OLD.amount_cents THEN
                  NEW.amount := NEW.amount_cents / 100.0;
                ELSE
                  NEW.amount_cents := (NEW.amount * 100)::bigint;
                END IF;
                RETURN NEW;
              END $$""");
          st.execute("CREATE TRIGGER sync_payment BEFORE INSERT OR UPDATE ON payment"
              + " FOR EACH ROW EXECUTE FUNCTION sync_payment()");
        }
        st.execute("INSERT INTO customer (full_name, email) SELECT CASE WHEN g % 7 = 0 THEN NULL ELSE 'seed-' || g END,"
            + " 'seed' || g || '@example.com' FROM generate_series(1, 20) g");
        st.execute("INSERT INTO payment (customer_id, amount) SELECT g, g + 0.25 FROM generate_series(1, 20) g");
      }
    }
  }

  private String text(String sql) throws SQLException {
    try (Statement st = admin.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return String.valueOf(rs.getString(1));
    }
  }

  private String phaseOf(String id) throws SQLException {
    return text("SELECT phase FROM cutover.migrations WHERE id = '" + id + "'");
  }

  private long epoch() throws SQLException {
    return watch.unwrap(CutoverConnection.class).currentEpoch();
  }

  /** The distinct SQL texts Hibernate sent through Cutover, one entry per blank-line-separated block. */
  private void writeStatements() throws Exception {
    Path out = Path.of("target", "hibernate-statements.sql");
    Files.createDirectories(out.getParent());
    Set<String> texts = new LinkedHashSet<>(mig.sent);
    Files.writeString(out.resolveSibling("hibernate-transcript.txt"), transcript, StandardCharsets.UTF_8);
    Files.writeString(out, texts.stream().collect(Collectors.joining("\n\n", "", "\n")), StandardCharsets.UTF_8);
    System.out.printf("Hibernate sent %d distinct SQL texts through Cutover (%s); %d steps compared%n",
        texts.size(), out.toAbsolutePath(), compared);
  }

  private void cli(String... args) {
    assertThat(cliCode(args)).as("cutover %s (output above)", String.join(" ", args)).isZero();
  }

  private int cliCode(String... args) {
    StringWriter out = new StringWriter();
    List<String> all = new ArrayList<>(List.of("--url", db.plainUrl(), "--user", db.user()));
    if (!db.password().isEmpty()) {
      all.addAll(List.of("--password", db.password()));
    }
    all.addAll(List.of(args));
    if (args[0].equals("advance")) {
      all.add("--yes");
    }
    int code = CutoverCommand.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(out, true))
        .execute(all.toArray(String[]::new));
    if (code != 0) {
      System.err.printf("cutover %s exited %d%n%s%n", String.join(" ", args), code, out);
    }
    return code;
  }
}
