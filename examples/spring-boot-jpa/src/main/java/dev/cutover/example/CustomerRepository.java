package dev.cutover.example;

import java.util.List;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.data.jpa.repository.JpaRepository;

/** Customers under the old column name. */
public interface CustomerRepository extends JpaRepository<Customer, Long> {
  List<Customer> findByFullName(String fullName);

  Page<Customer> findByEmailStartingWith(String prefix, Pageable page);
}
