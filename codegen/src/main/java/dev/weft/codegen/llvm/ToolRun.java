package dev.weft.codegen.llvm;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs an external tool to completion with a time limit and captures both output streams. */
public record ToolRun(List<String> command, int exitCode, String stdout, String stderr, long nanos) {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

  public static ToolRun run(String toolName, List<String> command, Map<String, String> env, Path workDir, Duration timeout) {
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().putAll(env);
    if (workDir != null) pb.directory(workDir.toFile());
    long t0 = System.nanoTime();
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new ToolException(toolName, -1, "cannot run " + command.get(0) + ": " + e.getMessage());
    }
    try {
      p.getOutputStream().close();
    } catch (IOException ignored) {
      // nothing to tell the tool
    }
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Thread drain = Thread.ofPlatform().daemon().start(() -> copy(p.getErrorStream(), err));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Thread drainOut = Thread.ofPlatform().daemon().start(() -> copy(p.getInputStream(), out));
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new ToolException(toolName, -1, "did not finish within " + timeout + ": " + String.join(" ", command));
      }
      drain.join(5000);
      drainOut.join(5000);
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new ToolException(toolName, -1, "interrupted");
    }
    return new ToolRun(List.copyOf(command), p.exitValue(), text(out), text(err), System.nanoTime() - t0);
  }

  /** Throws a {@link ToolException} with the tool's output unless it exited with 0. */
  public ToolRun requireSuccess(String toolName) {
    if (exitCode != 0) {
      String output = (stderr + stdout).strip();
      throw new ToolException(toolName, exitCode, "exit status " + exitCode + (output.isEmpty() ? "" : ":\n" + output));
    }
    return this;
  }

  public double millis() { return nanos / 1e6; }

  private static void copy(InputStream in, ByteArrayOutputStream out) {
    try (in) {
      in.transferTo(out);
    } catch (IOException ignored) {
      // the tool was killed; what it wrote so far is kept
    }
  }

  private static String text(ByteArrayOutputStream b) {
    synchronized (b) {
      return b.toString(StandardCharsets.UTF_8);
    }
  }
}
