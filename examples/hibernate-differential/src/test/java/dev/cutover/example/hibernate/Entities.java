package dev.cutover.example.hibernate;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import org.hibernate.annotations.Generated;
import java.math.BigDecimal;
import java.util.List;

/**
 * The entities of {@link HibernateDifferentialTest}. Two tables migrate: {@code customer.full_name}
 * is renamed to {@code display_name}, {@code payment.amount numeric(10,2)} becomes
 * {@code amount_cents bigint}. Each table is mapped three times, as two application versions and a
 * batch importer would map it: under the old name, under the new name, and with keys from a
 * sequence (IDENTITY keys make Hibernate insert row by row; a sequence lets it batch the inserts).
 */
final class Entities {

  private Entities() {}

  /** Every mapped class, for the session factories. */
  static final List<Class<?>> ALL = List.of(Customer.class, CustomerV2.class, BatchCustomer.class,
      BatchCustomerV2.class, DefaultedCustomer.class, DefaultedCustomerV2.class, Payment.class, PaymentV2.class, BatchPayment.class, DoublePayment.class);

  /** The application as deployed before the rename: {@code full_name}. */
  @Entity(name = "Customer")
  @Table(name = "customer")
  static class Customer {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    Long id;

    @Column(name = "full_name")
    String fullName;

    String email;

    @Version
    long version;

    Customer() {}

    Customer(String fullName, String email) {
      this.fullName = fullName;
      this.email = email;
    }

    @Override
    public String toString() {
      return "Customer[" + id + ", " + fullName + ", " + email + ", v" + version + "]";
    }
  }

  /** The next version of the application: the same rows under {@code display_name}. */
  @Entity(name = "CustomerV2")
  @Table(name = "customer")
  static class CustomerV2 {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    Long id;

    @Column(name = "display_name")
    String displayName;

    String email;

    @Version
    long version;

    CustomerV2() {}

    CustomerV2(String displayName, String email) {
      this.displayName = displayName;
      this.email = email;
    }

    @Override
    public String toString() {
      return "CustomerV2[" + id + ", " + displayName + ", " + email + ", v" + version + "]";
    }
  }

  /** A batch importer's mapping of {@code customer} under the old name: keys from a sequence. */
  @Entity(name = "BatchCustomer")
  @Table(name = "customer")
  static class BatchCustomer {
    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "customer_ids")
    @SequenceGenerator(name = "customer_ids", sequenceName = "customer_seq", allocationSize = 20)
    Long id;

    @Column(name = "full_name")
    String fullName;

    String email;

    @Version
    long version;

    BatchCustomer() {}

    BatchCustomer(String fullName, String email) {
      this.fullName = fullName;
      this.email = email;
    }

    @Override
    public String toString() {
      return "BatchCustomer[" + id + ", " + fullName + ", " + email + ", v" + version + "]";
    }
  }

  /** The batch importer after the rename: {@code display_name}, keys from the same sequence. */
  @Entity(name = "BatchCustomerV2")
  @Table(name = "customer")
  static class BatchCustomerV2 {
    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "customer_ids_v2")
    @SequenceGenerator(name = "customer_ids_v2", sequenceName = "customer_seq", allocationSize = 20)
    Long id;

    @Column(name = "display_name")
    String displayName;

    String email;

    @Version
    long version;

    BatchCustomerV2() {}

    BatchCustomerV2(String displayName, String email) {
      this.displayName = displayName;
      this.email = email;
    }

    @Override
    public String toString() {
      return "BatchCustomerV2[" + id + ", " + displayName + ", " + email + ", v" + version + "]";
    }
  }

  /**
   * The name left to the column's default at insert and read back by Hibernate ({@code @Generated}):
   * the key and the name come back in one statement.
   */
  @Entity(name = "DefaultedCustomer")
  @Table(name = "customer")
  static class DefaultedCustomer {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    Long id;

    @Generated
    @Column(name = "full_name")
    String fullName;

    String email;

    @Version
    long version;

    DefaultedCustomer() {}

    DefaultedCustomer(String email) {
      this.email = email;
    }

    @Override
    public String toString() {
      return "DefaultedCustomer[" + id + ", " + fullName + ", " + email + ", v" + version + "]";
    }
  }

  /** {@link DefaultedCustomer} under the new name. */
  @Entity(name = "DefaultedCustomerV2")
  @Table(name = "customer")
  static class DefaultedCustomerV2 {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    Long id;

    @Generated
    @Column(name = "display_name")
    String displayName;

    String email;

    @Version
    long version;

    DefaultedCustomerV2() {}

    DefaultedCustomerV2(String email) {
      this.email = email;
    }

    @Override
    public String toString() {
      return "DefaultedCustomerV2[" + id + ", " + displayName + ", " + email + ", v" + version + "]";
    }
  }

  /** The application before the type change: {@code amount} in currency units. */
  @Entity(name = "Payment")
  @Table(name = "payment")
  static class Payment {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    Long id;

    @Column(name = "customer_id")
    Long customerId;

    @Column(name = "amount", precision = 10, scale = 2)
    BigDecimal amount;

    @Version
    long version;

    Payment() {}

    Payment(Long customerId, BigDecimal amount) {
      this.customerId = customerId;
      this.amount = amount;
    }

    @Override
    public String toString() {
      return "Payment[" + id + ", " + customerId + ", " + (amount == null ? null : amount.toPlainString())
          + ", v" + version + "]";
    }
  }

  /** The next version: {@code amount_cents}, a whole number of cents. */
  @Entity(name = "PaymentV2")
  @Table(name = "payment")
  static class PaymentV2 {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    Long id;

    @Column(name = "customer_id")
    Long customerId;

    @Column(name = "amount_cents")
    Long amountCents;

    @Version
    long version;

    PaymentV2() {}

    PaymentV2(Long customerId, Long amountCents) {
      this.customerId = customerId;
      this.amountCents = amountCents;
    }

    @Override
    public String toString() {
      return "PaymentV2[" + id + ", " + customerId + ", " + amountCents + ", v" + version + "]";
    }
  }

  /** A batch importer's mapping of {@code payment} under the old column: keys from a sequence. */
  @Entity(name = "BatchPayment")
  @Table(name = "payment")
  static class BatchPayment {
    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "payment_ids")
    @SequenceGenerator(name = "payment_ids", sequenceName = "payment_seq", allocationSize = 20)
    Long id;

    @Column(name = "customer_id")
    Long customerId;

    @Column(name = "amount", precision = 10, scale = 2)
    BigDecimal amount;

    @Version
    long version;

    BatchPayment() {}

    BatchPayment(Long customerId, BigDecimal amount) {
      this.customerId = customerId;
      this.amount = amount;
    }

    @Override
    public String toString() {
      return "BatchPayment[" + id + ", " + customerId + ", " + (amount == null ? null : amount.toPlainString())
          + ", v" + version + "]";
    }
  }

  /**
   * {@code amount} mapped as a {@code Double}: Hibernate binds {@code float8}, which PostgreSQL rounds
   * to the column's two decimals on the way in; the new column must get the cents of that stored value.
   */
  @Entity(name = "DoublePayment")
  @Table(name = "payment")
  static class DoublePayment {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    Long id;

    @Column(name = "customer_id")
    Long customerId;

    @Column(name = "amount")
    Double amount;

    @Version
    long version;

    DoublePayment() {}

    DoublePayment(Long customerId, Double amount) {
      this.customerId = customerId;
      this.amount = amount;
    }

    @Override
    public String toString() {
      return "DoublePayment[" + id + ", " + customerId + ", " + amount + ", v" + version + "]";
    }
  }
}
