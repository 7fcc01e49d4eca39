package dev.cutover.example;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

/**
 * The same table as the next version of the application maps it, under the new name
 * {@code display_name}: usable through Cutover from {@code dual_write} on, side by side with
 * {@link Customer}.
 */
@Entity
@Table(name = "customer")
public class CustomerV2 {
  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  private Long id;

  @Column(name = "display_name")
  private String displayName;

  private String email;

  @Version
  private long version;

  protected CustomerV2() {}

  public CustomerV2(String displayName, String email) {
    this.displayName = displayName;
    this.email = email;
  }

  public Long getId() { return id; }
  public String getDisplayName() { return displayName; }
  public void setDisplayName(String displayName) { this.displayName = displayName; }
  public long getVersion() { return version; }
}
