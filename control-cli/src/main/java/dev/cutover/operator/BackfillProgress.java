package dev.cutover.operator;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The backfill's progress: a progress bar with rate and ETA on stderr when it is a terminal
 * (me.tongfei:progressbar), plain lines on the command's output otherwise (at most one a second,
 * and one at the end), so that logs and pipes get text, not control characters. Throttling shows
 * its reason: on the bar as its message, otherwise as a line (at most one every 5 seconds).
 */
abstract class BackfillProgress implements AutoCloseable {

  /** The migration id. */
  protected final String id;
  /** The command's output: progress lines, the final summary. */
  protected final PrintWriter out;
  /** Rows to do in all (grows if more turn up), and rows done so far, this run and before. */
  protected long total;
  protected long done;
  private final long startDone;
  private final long started = System.nanoTime();

  BackfillProgress(String id, PrintWriter out, long done, long total) {
    this.id = id;
    this.out = out;
    this.done = done;
    this.startDone = done;
    this.total = total;
  }

  /** The bar on stderr when the process has a terminal, plain lines on {@code out} otherwise. */
  static BackfillProgress create(String id, PrintWriter out, long done, long total, boolean terminal) {
    return terminal ? new Bar(id, out, done, total) : new Lines(id, out, done, total);
  }

  /** Whether this process writes to a terminal (stderr for the bar). */
  static boolean terminal() {
    return System.console() != null;
  }

  /** {@code rows} more rows are done. */
  void step(long rows, String lastKey) {
    done += rows;
    total = Math.max(total, done);
    shown(lastKey);
  }

  abstract void shown(String lastKey);

  /** The backfill waits, for {@code reason}. */
  abstract void throttled(String reason);

  /** Rows per second this run. */
  double rate() {
    double seconds = Math.max((System.nanoTime() - started) / 1e9, 1e-3);
    return (done - startDone) / seconds;
  }

  /** A line: rows done of total, percent, rate, ETA, last key. */
  String line(String lastKey) {
    double rate = rate();
    double pct = total == 0 ? 100.0 : Math.min(100.0, 100.0 * done / total);
    String eta = done >= total ? "" : ", ETA " + (rate <= 0 ? "?" : eta(Math.round((total - done) / rate)));
    return String.format(Locale.ROOT, "backfill %s: %d/%d rows (%.1f%%), %.0f rows/s%s, last key %s",
        id, done, total, pct, rate, eta, lastKey);
  }

  /** {@code 45s}, {@code 12m05s}, {@code 3h07m00s}. */
  static String eta(long seconds) {
    if (seconds < 60) {
      return seconds + "s";
    }
    if (seconds < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
    }
    return String.format(Locale.ROOT, "%dh%02dm%02ds", seconds / 3600, seconds / 60 % 60, seconds % 60);
  }

  /** Shows the final state of a run that filled every row: done is the whole, 100%. */
  void complete(String lastKey) {
    total = done;
    finish(lastKey);
  }

  /** Shows the final state. */
  void finish(String lastKey) {
    out.println(line(lastKey));
    out.flush();
  }

  @Override
  public void close() {}

  /** Plain lines, at most one a second (throttling: at most one every 5 seconds). */
  private static final class Lines extends BackfillProgress {
    private long lastPrint = System.nanoTime();
    private long lastThrottlePrint;

    @Override
    void throttled(String reason) {
      long now = System.nanoTime();
      if (lastThrottlePrint == 0 || now - lastThrottlePrint > 5_000_000_000L) {
        out.println("throttled: " + reason);
        out.flush();
        lastThrottlePrint = now;
      }
    }

    Lines(String id, PrintWriter out, long done, long total) {
      super(id, out, done, total);
    }

    @Override
    void shown(String lastKey) {
      long now = System.nanoTime();
      if (now - lastPrint > 1_000_000_000L) {
        out.println(line(lastKey));
        out.flush();
        lastPrint = now;
      }
    }
  }

  /** The progress bar on stderr. */
  private static final class Bar extends BackfillProgress {
    private final ProgressBar bar;
    private boolean closed;

    Bar(String id, PrintWriter out, long done, long total) {
      super(id, out, done, total);
      this.bar = new ProgressBarBuilder()
          .setTaskName("backfill " + id)
          .setInitialMax(total)
          .startsFrom(done, Duration.ZERO)
          .setUnit(" rows", 1)
          .showSpeed()
          .setStyle(ProgressBarStyle.ASCII)
          .setUpdateIntervalMillis(500)
          .setConsumer(new ConsoleProgressBarConsumer(System.err))
          .build();
    }

    @Override
    void shown(String lastKey) {
      bar.maxHint(total);
      bar.stepTo(done);
      bar.setExtraMessage("");
    }

    @Override
    void throttled(String reason) {
      bar.setExtraMessage("throttled: " + reason);
    }

    @Override
    void finish(String lastKey) {
      bar.maxHint(total);
      bar.stepTo(done);
      close();
      super.finish(lastKey);
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        bar.close();
      }
    }
  }
}
