package dev.cutover.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@code --json} prints: a command's result as one object (records serialise by their
 * components), or an error object {@code {"error": ..., "exitCode": ..., "sqlState": ...}}.
 */
final class JsonOutput {

  private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private JsonOutput() {}

  /** A result object. */
  static String of(Object result) {
    try {
      return MAPPER.writeValueAsString(result);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot print the result as JSON: " + e.getMessage(), e);
    }
  }

  /** An error object; {@code sqlState} is left out when {@code null}. */
  static String error(String message, int exitCode, String sqlState) {
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("error", message);
    error.put("exitCode", exitCode);
    if (sqlState != null) {
      error.put("sqlState", sqlState);
    }
    return of(error);
  }
}
