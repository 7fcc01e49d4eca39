package dev.cutover.benchmarks;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;

/**
 * A TPC-C-like mix on one warehouse (after BenchBase's TPC-C, without its think times or key
 * skew): New-Order 45%, Payment 43%, Order-Status 4%, Delivery 4%, Stock-Level 4%, each one
 * transaction in READ COMMITTED on one pooled connection, with {@code SELECT ... FOR UPDATE},
 * customer look-ups by last name (several unmigrated rows read at once), inserts into orders and
 * order lines, and updates of the migrating columns ({@code c_data} of bad-credit customers on a
 * payment). {@code customer.c_data} is renamed to {@code c_data_v2} and {@code stock.s_data} to
 * {@code s_data_v2}, the two columns BenchBase's measurement had in {@code dual_write}.
 *
 * <p>A transaction that deadlocks or fails to serialize is rolled back and not counted.
 */
final class TpccMix implements Mix {

  static final String CUSTOMER = "customer-c-data";
  static final String STOCK = "stock-s-data";
  private static final int DISTRICTS = 10;
  private static final int INITIAL_ORDERS = 100; // per district; the newest 30 undelivered
  private static final String[] SYLLABLES =
      {"BAR", "OUGHT", "ABLE", "PRI", "PRES", "ESE", "ANTI", "CALLY", "ATION", "EING"};

  private final int customers; // per district
  private final int items;

  TpccMix(int customersPerDistrict, int items) {
    this.customers = customersPerDistrict;
    this.items = items;
  }

  @Override
  public String name() {
    return "TPC-C-like";
  }

  @Override
  public String description() {
    return String.format(Locale.ROOT, "TPC-C-like, 1 warehouse, %d districts, %,d customers, %,d items and stock rows;"
        + " New-Order 45%% / Payment 43%% / Order-Status, Delivery, Stock-Level 4%% each; READ COMMITTED;"
        + " one operation = one transaction", DISTRICTS, DISTRICTS * customers, items);
  }

  @Override
  public void load(BenchDatabase db) throws SQLException {
    int lastNames = Math.min(1000, customers);
    db.execute(
        "CREATE TABLE warehouse (w_id int PRIMARY KEY, w_name varchar(10), w_street_1 varchar(20), w_city varchar(20),"
            + " w_state char(2), w_zip char(9), w_tax numeric(4,4) NOT NULL, w_ytd numeric(12,2) NOT NULL)",
        "CREATE TABLE district (d_w_id int NOT NULL, d_id int NOT NULL, d_name varchar(10), d_street_1 varchar(20),"
            + " d_city varchar(20), d_state char(2), d_zip char(9), d_tax numeric(4,4) NOT NULL,"
            + " d_ytd numeric(12,2) NOT NULL, d_next_o_id int NOT NULL, PRIMARY KEY (d_w_id, d_id))",
        "CREATE TABLE customer (c_w_id int NOT NULL, c_d_id int NOT NULL, c_id int NOT NULL, c_first varchar(16),"
            + " c_middle char(2), c_last varchar(16) NOT NULL, c_street_1 varchar(20), c_city varchar(20),"
            + " c_state char(2), c_zip char(9), c_phone char(16), c_since timestamp NOT NULL DEFAULT now(),"
            + " c_credit char(2) NOT NULL, c_credit_lim numeric(12,2), c_discount numeric(4,4) NOT NULL,"
            + " c_balance numeric(12,2) NOT NULL, c_ytd_payment float NOT NULL, c_payment_cnt int NOT NULL,"
            + " c_delivery_cnt int NOT NULL, c_data varchar(500), PRIMARY KEY (c_w_id, c_d_id, c_id))",
        "CREATE INDEX idx_customer_name ON customer (c_w_id, c_d_id, c_last, c_first)",
        "CREATE TABLE history (h_c_id int, h_c_d_id int, h_c_w_id int, h_d_id int, h_w_id int,"
            + " h_date timestamp NOT NULL DEFAULT now(), h_amount numeric(6,2), h_data varchar(24))",
        "CREATE TABLE item (i_id int PRIMARY KEY, i_im_id int, i_name varchar(24), i_price numeric(5,2) NOT NULL,"
            + " i_data varchar(50))",
        "CREATE TABLE stock (s_w_id int NOT NULL, s_i_id int NOT NULL, s_quantity int NOT NULL, s_dist_01 char(24),"
            + " s_ytd numeric(8,0) NOT NULL, s_order_cnt int NOT NULL, s_remote_cnt int NOT NULL, s_data varchar(50),"
            + " PRIMARY KEY (s_w_id, s_i_id))",
        "CREATE TABLE oorder (o_w_id int NOT NULL, o_d_id int NOT NULL, o_id int NOT NULL, o_c_id int NOT NULL,"
            + " o_carrier_id int, o_ol_cnt int NOT NULL, o_all_local int NOT NULL,"
            + " o_entry_d timestamp NOT NULL DEFAULT now(), PRIMARY KEY (o_w_id, o_d_id, o_id))",
        "CREATE INDEX idx_order ON oorder (o_w_id, o_d_id, o_c_id, o_id)",
        "CREATE TABLE new_order (no_w_id int NOT NULL, no_d_id int NOT NULL, no_o_id int NOT NULL,"
            + " PRIMARY KEY (no_w_id, no_d_id, no_o_id))",
        "CREATE TABLE order_line (ol_w_id int NOT NULL, ol_d_id int NOT NULL, ol_o_id int NOT NULL,"
            + " ol_number int NOT NULL, ol_i_id int NOT NULL, ol_delivery_d timestamp, ol_amount numeric(6,2) NOT NULL,"
            + " ol_supply_w_id int NOT NULL, ol_quantity int NOT NULL, ol_dist_info char(24),"
            + " PRIMARY KEY (ol_w_id, ol_d_id, ol_o_id, ol_number))",
        "INSERT INTO warehouse VALUES (1, 'W1', 'Street', 'City', 'ST', '123456789', 0.1, 300000)",
        "INSERT INTO district SELECT 1, d, 'D' || d, 'Street', 'City', 'ST', '123456789', 0.05, 30000, "
            + (INITIAL_ORDERS + 1) + " FROM generate_series(1, " + DISTRICTS + ") d",
        "INSERT INTO item SELECT i, i, 'Item ' || i, 1 + (i % 9900) / 100.0, repeat('x', 26 + i % 24)"
            + " FROM generate_series(1, " + items + ") i",
        "INSERT INTO stock SELECT 1, i, 10 + i % 91, repeat('d', 24), 0, 0, 0, repeat('s', 26 + i % 24)"
            + " FROM generate_series(1, " + items + ") i",
        // c_last from the TPC-C syllables over 0..lastNames-1: a name is shared by about
        // customers/lastNames customers of a district, all read by a payment by name.
        "INSERT INTO customer (c_w_id, c_d_id, c_id, c_first, c_middle, c_last, c_street_1, c_city, c_state, c_zip,"
            + " c_phone, c_credit, c_credit_lim, c_discount, c_balance, c_ytd_payment, c_payment_cnt, c_delivery_cnt,"
            + " c_data) SELECT 1, d, c, 'First' || c, 'OE', " + lastNameSql("(c - 1) % " + lastNames) + ", 'Street',"
            + " 'City', 'ST', '123456789', '0123456789012345', CASE WHEN c % 10 = 0 THEN 'BC' ELSE 'GC' END,"
            + " 50000, (c % 5000) / 10000.0, -10, 10, 1, 0, repeat('c', 300 + c % 200)"
            + " FROM generate_series(1, " + DISTRICTS + ") d, generate_series(1, " + customers + ") c",
        "INSERT INTO oorder SELECT 1, d, o, 1 + (o * 7) % " + customers + ", CASE WHEN o <= " + (INITIAL_ORDERS - 30)
            + " THEN 1 + o % 10 END, 10, 1 FROM generate_series(1, " + DISTRICTS + ") d, generate_series(1, "
            + INITIAL_ORDERS + ") o",
        "INSERT INTO new_order SELECT 1, d, o FROM generate_series(1, " + DISTRICTS + ") d, generate_series("
            + (INITIAL_ORDERS - 29) + ", " + INITIAL_ORDERS + ") o",
        "INSERT INTO order_line SELECT 1, d, o, n, 1 + (o * 31 + n * 17) % " + items + ", CASE WHEN o <= "
            + (INITIAL_ORDERS - 30) + " THEN now() END, CASE WHEN o <= " + (INITIAL_ORDERS - 30)
            + " THEN 0 ELSE 12.5 END, 1, 5, repeat('o', 24) FROM generate_series(1, " + DISTRICTS
            + ") d, generate_series(1, " + INITIAL_ORDERS + ") o, generate_series(1, 10) n",
        "VACUUM ANALYZE");
  }

  private static String lastNameSql(String n) {
    String syllables = "(ARRAY['" + String.join("', '", SYLLABLES) + "'])";
    return syllables + "[((" + n + ") / 100) % 10 + 1] || " + syllables + "[((" + n + ") / 10) % 10 + 1] || "
        + syllables + "[(" + n + ") % 10 + 1]";
  }

  private static String lastName(int n) {
    return SYLLABLES[(n / 100) % 10] + SYLLABLES[(n / 10) % 10] + SYLLABLES[n % 10];
  }

  @Override
  public List<Migration> migrations() {
    return List.of(
        new Migration(CUSTOMER, "id: " + CUSTOMER + "\ntable: public.customer\nrename:\n  from: c_data\n  to: c_data_v2\n"),
        new Migration(STOCK, "id: " + STOCK + "\ntable: public.stock\nrename:\n  from: s_data\n  to: s_data_v2\n"));
  }

  @Override
  public boolean operation(DataSource ds, ThreadLocalRandom random, boolean unused) throws SQLException {
    int kind = random.nextInt(100);
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try {
        if (kind < 45) {
          newOrder(c, random);
        } else if (kind < 88) {
          payment(c, random);
        } else if (kind < 92) {
          orderStatus(c, random);
        } else if (kind < 96) {
          delivery(c, random);
        } else {
          stockLevel(c, random);
        }
        c.commit();
        return true;
      } catch (SQLException e) {
        Mix.rollback(c);
        if (Mix.retryable(e)) {
          return false;
        }
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    }
  }

  private void newOrder(Connection c, ThreadLocalRandom random) throws SQLException {
    int d = 1 + random.nextInt(DISTRICTS);
    int customer = 1 + random.nextInt(customers);
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT c_discount, c_last, c_credit, w_tax FROM customer, warehouse WHERE w_id = ? AND c_w_id = w_id"
            + " AND c_d_id = ? AND c_id = ?")) {
      ps.setInt(1, 1);
      ps.setInt(2, d);
      ps.setInt(3, customer);
      expectRow(ps, "customer");
    }
    int orderId;
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT d_next_o_id, d_tax FROM district WHERE d_w_id = ? AND d_id = ? FOR UPDATE")) {
      ps.setInt(1, 1);
      ps.setInt(2, d);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        orderId = rs.getInt(1);
      }
    }
    try (PreparedStatement ps = c.prepareStatement(
        "UPDATE district SET d_next_o_id = d_next_o_id + 1 WHERE d_w_id = ? AND d_id = ?")) {
      ps.setInt(1, 1);
      ps.setInt(2, d);
      ps.executeUpdate();
    }
    int lines = 5 + random.nextInt(11);
    int[] itemIds = new int[lines];
    for (int i = 0; i < lines; i++) {
      itemIds[i] = 1 + random.nextInt(items);
    }
    Arrays.sort(itemIds); // the stock rows are locked in one order, as a careful application does
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO oorder (o_id, o_d_id, o_w_id, o_c_id, o_entry_d, o_ol_cnt, o_all_local) VALUES (?, ?, ?, ?, now(), ?, 1)")) {
      ps.setInt(1, orderId);
      ps.setInt(2, d);
      ps.setInt(3, 1);
      ps.setInt(4, customer);
      ps.setInt(5, lines);
      ps.executeUpdate();
    }
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO new_order (no_o_id, no_d_id, no_w_id) VALUES (?, ?, ?)")) {
      ps.setInt(1, orderId);
      ps.setInt(2, d);
      ps.setInt(3, 1);
      ps.executeUpdate();
    }
    try (PreparedStatement item = c.prepareStatement("SELECT i_price, i_name, i_data FROM item WHERE i_id = ?");
        PreparedStatement stock = c.prepareStatement("SELECT s_quantity, s_data, s_dist_01 FROM stock"
            + " WHERE s_i_id = ? AND s_w_id = ? FOR UPDATE");
        PreparedStatement update = c.prepareStatement("UPDATE stock SET s_quantity = ?, s_ytd = s_ytd + ?,"
            + " s_order_cnt = s_order_cnt + 1 WHERE s_i_id = ? AND s_w_id = ?");
        PreparedStatement line = c.prepareStatement("INSERT INTO order_line (ol_o_id, ol_d_id, ol_w_id, ol_number,"
            + " ol_i_id, ol_supply_w_id, ol_quantity, ol_amount, ol_dist_info) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      for (int n = 0; n < lines; n++) {
        int quantity = 1 + random.nextInt(10);
        item.setInt(1, itemIds[n]);
        BigDecimal price;
        try (ResultSet rs = item.executeQuery()) {
          rs.next();
          price = rs.getBigDecimal(1);
        }
        stock.setInt(1, itemIds[n]);
        stock.setInt(2, 1);
        int onHand;
        String dist;
        try (ResultSet rs = stock.executeQuery()) {
          if (!rs.next() || rs.getString(2) == null) {
            throw new IllegalStateException("stock " + itemIds[n] + " missing or without s_data");
          }
          onHand = rs.getInt(1);
          dist = rs.getString(3);
        }
        update.setInt(1, onHand - quantity >= 10 ? onHand - quantity : onHand - quantity + 91);
        update.setInt(2, quantity);
        update.setInt(3, itemIds[n]);
        update.setInt(4, 1);
        update.addBatch();
        line.setInt(1, orderId);
        line.setInt(2, d);
        line.setInt(3, 1);
        line.setInt(4, n + 1);
        line.setInt(5, itemIds[n]);
        line.setInt(6, 1);
        line.setInt(7, quantity);
        line.setBigDecimal(8, price.multiply(BigDecimal.valueOf(quantity)));
        line.setString(9, dist);
        line.addBatch();
      }
      update.executeBatch();
      line.executeBatch();
    }
  }

  /** Selects a customer by id (40%) or by last name (60%, the middle one of those sharing it); returns its id. */
  private int customer(Connection c, ThreadLocalRandom random, int d) throws SQLException {
    if (random.nextInt(100) < 40) {
      return 1 + random.nextInt(customers);
    }
    String last = lastName(random.nextInt(Math.min(1000, customers)));
    try (PreparedStatement ps = c.prepareStatement("SELECT c_id, c_first, c_middle, c_last, c_street_1, c_city,"
        + " c_state, c_zip, c_phone, c_credit, c_credit_lim, c_discount, c_balance, c_ytd_payment, c_payment_cnt,"
        + " c_since FROM customer WHERE c_w_id = ? AND c_d_id = ? AND c_last = ? ORDER BY c_first")) {
      ps.setInt(1, 1);
      ps.setInt(2, d);
      ps.setString(3, last);
      int[] ids = new int[16];
      int count = 0;
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (count == ids.length) {
            ids = Arrays.copyOf(ids, count * 2);
          }
          ids[count++] = rs.getInt(1);
        }
      }
      if (count == 0) {
        throw new IllegalStateException("no customer named " + last);
      }
      return ids[(count - 1) / 2];
    }
  }

  private void payment(Connection c, ThreadLocalRandom random) throws SQLException {
    int d = 1 + random.nextInt(DISTRICTS);
    BigDecimal amount = BigDecimal.valueOf(100 + random.nextInt(500_000), 2);
    try (PreparedStatement ps = c.prepareStatement("UPDATE warehouse SET w_ytd = w_ytd + ? WHERE w_id = ?")) {
      ps.setBigDecimal(1, amount);
      ps.setInt(2, 1);
      ps.executeUpdate();
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT w_street_1, w_city, w_state, w_zip, w_name FROM warehouse WHERE w_id = ?")) {
      ps.setInt(1, 1);
      expectRow(ps, "warehouse");
    }
    try (PreparedStatement ps = c.prepareStatement("UPDATE district SET d_ytd = d_ytd + ? WHERE d_w_id = ? AND d_id = ?")) {
      ps.setBigDecimal(1, amount);
      ps.setInt(2, 1);
      ps.setInt(3, d);
      ps.executeUpdate();
    }
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT d_street_1, d_city, d_state, d_zip, d_name FROM district WHERE d_w_id = ? AND d_id = ?")) {
      ps.setInt(1, 1);
      ps.setInt(2, d);
      expectRow(ps, "district");
    }
    int customer = customer(c, random, d);
    String credit;
    try (PreparedStatement ps = c.prepareStatement("SELECT c_first, c_middle, c_last, c_street_1, c_city, c_state,"
        + " c_zip, c_phone, c_credit, c_credit_lim, c_discount, c_balance, c_ytd_payment, c_payment_cnt, c_since"
        + " FROM customer WHERE c_w_id = ? AND c_d_id = ? AND c_id = ? FOR UPDATE")) {
      ps.setInt(1, 1);
      ps.setInt(2, d);
      ps.setInt(3, customer);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        credit = rs.getString(9);
      }
    }
    if (credit.equals("BC")) {
      String data;
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT c_data FROM customer WHERE c_w_id = ? AND c_d_id = ? AND c_id = ?")) {
        ps.setInt(1, 1);
        ps.setInt(2, d);
        ps.setInt(3, customer);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          data = rs.getString(1);
          if (data == null) {
            throw new IllegalStateException("customer " + customer + " without c_data");
          }
        }
      }
      String entry = customer + " " + d + " 1 " + d + " 1 " + amount + " | ";
      data = (entry + data).substring(0, Math.min(500, entry.length() + data.length()));
      try (PreparedStatement ps = c.prepareStatement("UPDATE customer SET c_balance = c_balance - ?,"
          + " c_ytd_payment = c_ytd_payment + ?, c_payment_cnt = c_payment_cnt + 1, c_data = ?"
          + " WHERE c_w_id = ? AND c_d_id = ? AND c_id = ?")) {
        ps.setBigDecimal(1, amount);
        ps.setDouble(2, amount.doubleValue());
        ps.setString(3, data);
        ps.setInt(4, 1);
        ps.setInt(5, d);
        ps.setInt(6, customer);
        ps.executeUpdate();
      }
    } else {
      try (PreparedStatement ps = c.prepareStatement("UPDATE customer SET c_balance = c_balance - ?,"
          + " c_ytd_payment = c_ytd_payment + ?, c_payment_cnt = c_payment_cnt + 1"
          + " WHERE c_w_id = ? AND c_d_id = ? AND c_id = ?")) {
        ps.setBigDecimal(1, amount);
        ps.setDouble(2, amount.doubleValue());
        ps.setInt(3, 1);
        ps.setInt(4, d);
        ps.setInt(5, customer);
        ps.executeUpdate();
      }
    }
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO history (h_c_d_id, h_c_w_id, h_c_id, h_d_id, h_w_id,"
        + " h_date, h_amount, h_data) VALUES (?, ?, ?, ?, ?, now(), ?, ?)")) {
      ps.setInt(1, d);
      ps.setInt(2, 1);
      ps.setInt(3, customer);
      ps.setInt(4, d);
      ps.setInt(5, 1);
      ps.setBigDecimal(6, amount);
      ps.setString(7, "W1    D" + d);
      ps.executeUpdate();
    }
  }

  private void orderStatus(Connection c, ThreadLocalRandom random) throws SQLException {
    int d = 1 + random.nextInt(DISTRICTS);
    int customer = customer(c, random, d);
    try (PreparedStatement ps = c.prepareStatement("SELECT c_first, c_middle, c_last, c_balance FROM customer"
        + " WHERE c_w_id = ? AND c_d_id = ? AND c_id = ?")) {
      ps.setInt(1, 1);
      ps.setInt(2, d);
      ps.setInt(3, customer);
      expectRow(ps, "customer");
    }
    Integer order = null;
    try (PreparedStatement ps = c.prepareStatement("SELECT o_id, o_carrier_id, o_entry_d FROM oorder"
        + " WHERE o_w_id = ? AND o_d_id = ? AND o_c_id = ? ORDER BY o_id DESC LIMIT 1")) {
      ps.setInt(1, 1);
      ps.setInt(2, d);
      ps.setInt(3, customer);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          order = rs.getInt(1);
        }
      }
    }
    if (order != null) {
      try (PreparedStatement ps = c.prepareStatement("SELECT ol_i_id, ol_supply_w_id, ol_quantity, ol_amount,"
          + " ol_delivery_d FROM order_line WHERE ol_o_id = ? AND ol_d_id = ? AND ol_w_id = ?")) {
        ps.setInt(1, order);
        ps.setInt(2, d);
        ps.setInt(3, 1);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            rs.getInt(1);
          }
        }
      }
    }
  }

  private void delivery(Connection c, ThreadLocalRandom random) throws SQLException {
    int carrier = 1 + random.nextInt(10);
    for (int d = 1; d <= DISTRICTS; d++) {
      int order;
      try (PreparedStatement ps = c.prepareStatement("SELECT no_o_id FROM new_order WHERE no_d_id = ? AND no_w_id = ?"
          + " ORDER BY no_o_id ASC LIMIT 1 FOR UPDATE SKIP LOCKED")) {
        ps.setInt(1, d);
        ps.setInt(2, 1);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            continue;
          }
          order = rs.getInt(1);
        }
      }
      try (PreparedStatement ps = c.prepareStatement(
          "DELETE FROM new_order WHERE no_o_id = ? AND no_d_id = ? AND no_w_id = ?")) {
        ps.setInt(1, order);
        ps.setInt(2, d);
        ps.setInt(3, 1);
        ps.executeUpdate();
      }
      int customer;
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE oorder SET o_carrier_id = ? WHERE o_id = ? AND o_d_id = ? AND o_w_id = ? RETURNING o_c_id")) {
        ps.setInt(1, carrier);
        ps.setInt(2, order);
        ps.setInt(3, d);
        ps.setInt(4, 1);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          customer = rs.getInt(1);
        }
      }
      try (PreparedStatement ps = c.prepareStatement("UPDATE order_line SET ol_delivery_d = now()"
          + " WHERE ol_o_id = ? AND ol_d_id = ? AND ol_w_id = ?")) {
        ps.setInt(1, order);
        ps.setInt(2, d);
        ps.setInt(3, 1);
        ps.executeUpdate();
      }
      BigDecimal total;
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT SUM(ol_amount) FROM order_line WHERE ol_o_id = ? AND ol_d_id = ? AND ol_w_id = ?")) {
        ps.setInt(1, order);
        ps.setInt(2, d);
        ps.setInt(3, 1);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          total = rs.getBigDecimal(1) == null ? BigDecimal.ZERO : rs.getBigDecimal(1);
        }
      }
      try (PreparedStatement ps = c.prepareStatement("UPDATE customer SET c_balance = c_balance + ?,"
          + " c_delivery_cnt = c_delivery_cnt + 1 WHERE c_w_id = ? AND c_d_id = ? AND c_id = ?")) {
        ps.setBigDecimal(1, total);
        ps.setInt(2, 1);
        ps.setInt(3, d);
        ps.setInt(4, customer);
        ps.executeUpdate();
      }
    }
  }

  private void stockLevel(Connection c, ThreadLocalRandom random) throws SQLException {
    int d = 1 + random.nextInt(DISTRICTS);
    int next;
    try (PreparedStatement ps = c.prepareStatement("SELECT d_next_o_id FROM district WHERE d_w_id = ? AND d_id = ?")) {
      ps.setInt(1, 1);
      ps.setInt(2, d);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        next = rs.getInt(1);
      }
    }
    // The stock rows of the last 20 orders, read row by row (BenchBase counts them in SQL; an
    // application listing low stock reads them, and those reads are the lazy migration's food).
    try (PreparedStatement ps = c.prepareStatement("SELECT s.s_i_id, s.s_quantity, s.s_data FROM stock s"
        + " WHERE s.s_w_id = ? AND s.s_quantity < ? AND s.s_i_id IN (SELECT ol.ol_i_id FROM order_line ol"
        + " WHERE ol.ol_w_id = ? AND ol.ol_d_id = ? AND ol.ol_o_id < ? AND ol.ol_o_id >= ?)")) {
      ps.setInt(1, 1);
      ps.setInt(2, 10 + random.nextInt(11));
      ps.setInt(3, 1);
      ps.setInt(4, d);
      ps.setInt(5, next);
      ps.setInt(6, next - 20);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rs.getInt(1);
        }
      }
    }
  }

  private static void expectRow(PreparedStatement ps, String what) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        throw new IllegalStateException(what + " row missing");
      }
    }
  }
}
