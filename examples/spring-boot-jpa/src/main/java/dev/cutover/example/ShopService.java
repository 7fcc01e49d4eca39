package dev.cutover.example;

import java.math.BigDecimal;
import java.util.List;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Sort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** What the application does: create, update, find by the renamed field, page, batch insert, pay. */
@Service
public class ShopService {
  private final CustomerRepository customers;
  private final CustomerV2Repository customersV2;
  private final PaymentRepository payments;
  private final JdbcTemplate jdbc;

  ShopService(CustomerRepository customers, CustomerV2Repository customersV2, PaymentRepository payments,
      JdbcTemplate jdbc) {
    this.jdbc = jdbc;
    this.customers = customers;
    this.customersV2 = customersV2;
    this.payments = payments;
  }

  @Transactional
  public Customer create(String name, String email) {
    return customers.save(new Customer(name, email));
  }

  @Transactional
  public Customer rename(long id, String name) {
    Customer c = customers.findById(id).orElseThrow();
    c.setFullName(name);
    return customers.saveAndFlush(c);
  }

  @Transactional(readOnly = true)
  public Customer find(long id) {
    return customers.findById(id).orElseThrow();
  }

  @Transactional(readOnly = true)
  public List<Customer> findByName(String name) {
    return customers.findByFullName(name);
  }

  @Transactional(readOnly = true)
  public Page<Customer> page(String emailPrefix, int page, int size) {
    return customers.findByEmailStartingWith(emailPrefix, PageRequest.of(page, size, Sort.by("id")));
  }

  @Transactional
  public List<Customer> createBatch(List<Customer> batch) {
    return customers.saveAll(batch);
  }

  /**
   * A JDBC batch (Hibernate sends IDENTITY inserts one by one): one {@code executeBatch} of
   * {@code names.size()} inserts.
   */
  @Transactional
  public int[] importCustomers(List<String> names, String email) {
    return jdbc.batchUpdate("INSERT INTO customer (full_name, email) VALUES (?, ?)",
        names.stream().map(n -> new Object[] {n, email}).toList());
  }

  @Transactional
  public CustomerV2 createV2(String name, String email) {
    return customersV2.save(new CustomerV2(name, email));
  }

  @Transactional(readOnly = true)
  public List<CustomerV2> findByDisplayName(String name) {
    return customersV2.findByDisplayName(name);
  }

  @Transactional
  public Payment pay(long customerId, BigDecimal amount) {
    return payments.save(new Payment(customerId, amount));
  }

  @Transactional
  public Payment addToAmount(long paymentId, BigDecimal delta) {
    Payment p = payments.findById(paymentId).orElseThrow();
    p.setAmount(p.getAmount().add(delta));
    return payments.saveAndFlush(p);
  }

  @Transactional(readOnly = true)
  public Payment payment(long id) {
    return payments.findById(id).orElseThrow();
  }

  @Transactional(readOnly = true)
  public List<Payment> paymentsAtLeast(long customerId, BigDecimal min) {
    return payments.findByCustomerIdAndAmountGreaterThanEqual(customerId, min);
  }

  /** Through the new column, in cents (the next version of the application). */
  @Transactional(readOnly = true)
  public Long cents(long paymentId) {
    return payments.findCentsById(paymentId);
  }
}
