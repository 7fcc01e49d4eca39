package dev.cutover.example;

import java.math.BigDecimal;
import java.util.List;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

/** Payments in currency units; one native query reads the new column, in cents. */
public interface PaymentRepository extends JpaRepository<Payment, Long> {
  List<Payment> findByCustomerIdAndAmountGreaterThanEqual(Long customerId, BigDecimal min);

  @Query(value = "SELECT amount_cents FROM payment WHERE id = ?1", nativeQuery = true)
  Long findCentsById(Long id);
}
