package dev.cutover.example;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

/**
 * A customer as the application deployed before the migration maps it: the column {@code full_name},
 * which the operator renames to {@code display_name} while this version keeps running.
 */
@Entity
@Table(name = "customer")
public class Customer {
  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  private Long id;

  @Column(name = "full_name")
  private String fullName;

  private String email;

  @Version
  private long version;

  protected Customer() {}

  public Customer(String fullName, String email) {
    this.fullName = fullName;
    this.email = email;
  }

  public Long getId() { return id; }
  public String getFullName() { return fullName; }
  public void setFullName(String fullName) { this.fullName = fullName; }
  public String getEmail() { return email; }
  public long getVersion() { return version; }
}
