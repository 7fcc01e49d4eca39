package dev.cutover.example;

import java.math.BigDecimal;
import java.util.List;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

/** The application's Spring Data repositories. */
final class Repositories {
  private Repositories() {}

  /** Customers under the old column name. */
  interface CustomerRepository extends JpaRepository<Customer, Long> {
    List<Customer> findByFullName(String fullName);

    Page<Customer> findByEmailStartingWith(String prefix, Pageable page);
  }

  /** Customers under the new column name (the next version of the application). */
  interface CustomerV2Repository extends JpaRepository<CustomerV2, Long> {
    List<CustomerV2> findByDisplayName(String displayName);
  }

  /** Payments in currency units; one native query reads the new column in cents. */
  interface PaymentRepository extends JpaRepository<Payment, Long> {
    List<Payment> findByCustomerIdAndAmountGreaterThanEqual(Long customerId, BigDecimal min);

    @Query(value = "SELECT amount_cents FROM payment WHERE id = ?1", nativeQuery = true)
    Long findCentsById(Long id);
  }
}
