package dev.cutover.example;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.math.BigDecimal;

/**
 * A payment whose {@code amount numeric(10,2)} becomes {@code amount_cents bigint}; this version of the
 * application keeps reading and writing {@code amount} in currency units.
 */
@Entity
@Table(name = "payment")
public class Payment {
  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  private Long id;

  @Column(name = "customer_id")
  private Long customerId;

  @Column(name = "amount", precision = 10, scale = 2)
  private BigDecimal amount;

  @Version
  private long version;

  protected Payment() {}

  public Payment(Long customerId, BigDecimal amount) {
    this.customerId = customerId;
    this.amount = amount;
  }

  public Long getId() { return id; }
  public Long getCustomerId() { return customerId; }
  public BigDecimal getAmount() { return amount; }
  public void setAmount(BigDecimal amount) { this.amount = amount; }
  public long getVersion() { return version; }
}
