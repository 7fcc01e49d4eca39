package dev.cutover.operator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cutover.migration.Phase;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a phase change reports its progress: each statement as it runs, each one skipped because
 * it already ran, each phase recorded, and notes. {@link #text} renders lines for a terminal;
 * {@link #json} one JSON object per line, for {@code --json}. A dry run renders its plan through
 * the same listener ({@link #plan}).
 */
public interface PhaseListener {

  /** A step of migration {@code step.migration()} starts. */
  void stepStarted(PhaseStep step);

  /** {@code sql} is about to run. */
  void sql(String migration, String sql);

  /** {@code sql} is skipped: {@code doneWhen} says its effect is there already. */
  void skipped(String migration, String sql, String doneWhen);

  /** The phase change is recorded at {@code epoch}; {@code message} says it in words. */
  void phaseChanged(String migration, Phase from, Phase to, long epoch, String message);

  /**
   * A wait for the fleet: every live instance must apply {@code epoch} (or a later one); one such
   * wait covers every migration in {@code migrations}.
   */
  void awaiting(List<String> migrations, long epoch);

  /** Anything else worth saying. */
  void note(String migration, String message);

  /** A dry run's plan: every step, nothing run. */
  void plan(List<PhaseStep> steps);

  /**
   * A writer for the helpers a phase change calls (the fleet's wait, the fence, the index build's
   * watch, the standby waits, the refill): each line they print becomes a {@link #note} of {@code
   * migration}, so that {@code --json} renders it as an event like every other line of progress.
   */
  static PrintWriter lines(PhaseListener listener, String migration) {
    return new PrintWriter(new java.io.Writer() {
      private final StringBuilder line = new StringBuilder();

      @Override
      public synchronized void write(char[] chars, int off, int len) {
        for (int i = off; i < off + len; i++) {
          char ch = chars[i];
          if (ch == '\n') {
            listener.note(migration, line.toString());
            line.setLength(0);
          } else if (ch != '\r') {
            line.append(ch);
          }
        }
      }

      @Override
      public void flush() {}

      @Override
      public synchronized void close() {
        if (line.length() > 0) {
          listener.note(migration, line.toString());
          line.setLength(0);
        }
      }
    });
  }

  /** Renders lines: statements as {@code SQL;}, phase changes and notes as sentences. */
  static PhaseListener text(PrintWriter out) {
    return new PhaseListener() {
      @Override
      public void stepStarted(PhaseStep step) {}

      @Override
      public void sql(String migration, String sql) {
        out.printf("%s;%n", sql);
        out.flush();
      }

      @Override
      public void skipped(String migration, String sql, String doneWhen) {}

      @Override
      public void phaseChanged(String migration, Phase from, Phase to, long epoch, String message) {
        out.println(message);
        out.flush();
      }

      @Override
      public void awaiting(List<String> migrations, long epoch) {}

      @Override
      public void note(String migration, String message) {
        out.println(message);
        out.flush();
      }

      @Override
      public void plan(List<PhaseStep> steps) {
        out.printf("dry run (nothing changed): %d step(s)%n", steps.size());
        int n = 0;
        for (PhaseStep step : steps) {
          n++;
          out.printf("step %d: migration '%s' %s -> %s%s%n", n, step.migration(), step.from().sqlName(),
              step.to().sqlName(), step.lazy() == null ? "" : step.lazy() ? " (lazy cut-over)" : " (lazy flag cleared)");
          for (PhaseStep.Check check : step.preconditions()) {
            out.printf("  before: %s%s%n", check.description(), check.sql() == null ? "" : " -- " + check.sql());
          }
          for (PhaseStep.Action action : step.actions()) {
            switch (action.kind()) {
              case IN_TRANSACTION, VALIDATE, OUTSIDE_TRANSACTION, CHANGE_PHASE -> {
                out.printf("  -- %s (%s)%n", action.description(), switch (action.kind()) {
                  case OUTSIDE_TRANSACTION -> "outside any transaction";
                  case CHANGE_PHASE -> "one transaction with the phase change and its new epoch";
                  case VALIDATE -> "one transaction; a violating row refuses the step";
                  default -> "one transaction, under lock_timeout";
                });
                for (PhaseStep.Statement s : action.statements()) {
                  out.printf("  %s;%n", s.sql());
                  if (s.doneWhen() != null) {
                    out.printf("    -- skipped when: %s%n", s.doneWhen());
                  }
                }
              }
              default -> out.printf("  -- %s%n", action.description());
            }
          }
          for (PhaseStep.Check check : step.postconditions()) {
            out.printf("  after: %s -- %s%n", check.description(), check.sql());
          }
        }
        out.flush();
      }
    };
  }

  /**
   * One JSON object per line: {@code {"event": "sql", "migration": ..., "sql": ...}}, {@code skipped}
   * (with {@code doneWhen}), {@code phase} (with {@code from}, {@code to}, {@code epoch},
   * {@code message}), {@code acks} (a wait for the fleet: {@code migrations}, {@code epoch}),
   * {@code note}, {@code step} and {@code plan} (with the step values).
   */
  static PhaseListener json(PrintWriter out) {
    ObjectMapper mapper = new ObjectMapper();
    return new PhaseListener() {
      private void emit(Map<String, Object> event) {
        try {
          out.println(mapper.writeValueAsString(event));
        } catch (JsonProcessingException e) {
          throw new IllegalStateException("cannot print the event as JSON: " + e.getMessage(), e);
        }
        out.flush();
      }

      private Map<String, Object> event(String kind, String migration) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("event", kind);
        e.put("migration", migration);
        return e;
      }

      @Override
      public void stepStarted(PhaseStep step) {
        Map<String, Object> e = event("step", step.migration());
        e.put("from", step.from().sqlName());
        e.put("to", step.to().sqlName());
        emit(e);
      }

      @Override
      public void sql(String migration, String sql) {
        Map<String, Object> e = event("sql", migration);
        e.put("sql", sql);
        emit(e);
      }

      @Override
      public void skipped(String migration, String sql, String doneWhen) {
        Map<String, Object> e = event("skipped", migration);
        e.put("sql", sql);
        e.put("doneWhen", doneWhen);
        emit(e);
      }

      @Override
      public void phaseChanged(String migration, Phase from, Phase to, long epoch, String message) {
        Map<String, Object> e = event("phase", migration);
        e.put("from", from.sqlName());
        e.put("to", to.sqlName());
        e.put("epoch", epoch);
        e.put("message", message);
        emit(e);
      }

      @Override
      public void awaiting(List<String> migrations, long epoch) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("event", "acks");
        e.put("migrations", migrations);
        e.put("epoch", epoch);
        emit(e);
      }

      @Override
      public void note(String migration, String message) {
        Map<String, Object> e = event("note", migration);
        e.put("message", message);
        emit(e);
      }

      @Override
      public void plan(List<PhaseStep> steps) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("event", "plan");
        e.put("steps", steps);
        emit(e);
      }
    };
  }
}
