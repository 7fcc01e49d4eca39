package dev.cutover.example;

import java.util.List;
import org.springframework.data.jpa.repository.JpaRepository;

/** Customers under the new column name (the next version of the application). */
public interface CustomerV2Repository extends JpaRepository<CustomerV2, Long> {
  List<CustomerV2> findByDisplayName(String displayName);
}
