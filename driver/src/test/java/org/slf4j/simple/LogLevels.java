package org.slf4j.simple;

import org.slf4j.Logger;

/**
 * Changes the level of one slf4j-simple logger in a running test JVM (slf4j-simple reads its
 * configuration once, when a logger is made, and has no API for it). Tests only.
 */
public final class LogLevels {

  private LogLevels() {}

  /** Sets {@code logger} to DEBUG; returns a runnable that puts its level back. */
  public static Runnable debug(Logger logger) {
    SimpleLogger simple = (SimpleLogger) logger;
    int before = simple.currentLogLevel;
    simple.currentLogLevel = SimpleLogger.LOG_LEVEL_DEBUG;
    return () -> simple.currentLogLevel = before;
  }
}
