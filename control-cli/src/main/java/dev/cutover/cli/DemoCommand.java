package dev.cutover.cli;

import dev.cutover.demo.Demo;
import dev.cutover.operator.ConnectionSettings;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code cutover demo}: the quick start. Runs the operator's own commands in this
 * process, so what it prints is exactly what an operator would type and see.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, description = "Rename a sample table's column live, forward and back, with a workload running.")
final class DemoCommand implements Callable<Integer> {

  @ParentCommand CutoverCommand parent;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    ConnectionSettings settings = parent.settings();
    String cliUrl = settings.url();
    if (!settings.controlSchema().equals(ConnectionSettings.DEFAULT_SCHEMA)) {
      cliUrl += (cliUrl.contains("?") ? "&" : "?") + "cutover.schema="
          + URLEncoder.encode(settings.controlSchema(), StandardCharsets.UTF_8);
    }
    String url = cliUrl;
    Demo.Cli cli = args -> {
      List<String> all = new ArrayList<>(List.of("--url", url));
      if (settings.user() != null) {
        all.addAll(List.of("--user", settings.user()));
      }
      if (settings.password() != null) {
        all.addAll(List.of("--password", settings.password()));
      }
      all.addAll(List.of(args));
      return CutoverCommand.commandLine()
          .setOut(spec.commandLine().getOut())
          .setErr(spec.commandLine().getErr())
          .execute(all.toArray(String[]::new));
    };
    try {
      return new Demo(settings.url(), settings.user(), settings.password(), settings.controlSchema(),
          spec.commandLine().getOut(), cli).run();
    } catch (IllegalStateException e) {
      spec.commandLine().getErr().println("demo stopped: " + e.getMessage());
      return 1;
    }
  }
}
