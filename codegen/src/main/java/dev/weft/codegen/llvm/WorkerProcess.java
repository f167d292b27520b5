package dev.weft.codegen.llvm;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** One {@link CodegenWorker} child JVM and its pipes. Used by one thread at a time. */
final class WorkerProcess {
  /** Thrown when the child ended (or was killed) instead of answering. */
  static final class Died extends Exception {
    final int exitCode;
    final boolean timedOut;
    final String stderr;

    Died(int exitCode, boolean timedOut, String stderr, Throwable cause) {
      super("worker exit " + exitCode, cause);
      this.exitCode = exitCode;
      this.timedOut = timedOut;
      this.stderr = stderr;
    }
  }

  private final Process process;
  private final DataOutputStream toWorker;
  private final DataInputStream fromWorker;
  private final StderrTail stderr;
  private final long loadNanos;

  private WorkerProcess(Process process, long loadNanos, DataOutputStream toWorker, DataInputStream fromWorker,
                        StderrTail stderr) {
    this.process = process;
    this.loadNanos = loadNanos;
    this.toWorker = toWorker;
    this.fromWorker = fromWorker;
    this.stderr = stderr;
  }

  /**
   * Starts a worker and waits for its ready frame (it has loaded LLVM by then). {@code spawned}
   * hears of the process as soon as it exists, so a pool closing meanwhile can kill it.
   */
  static WorkerProcess start(List<String> command, Path workDir, Duration timeout, ScheduledExecutorService watchdog, int id,
                             java.util.function.Consumer<Process> spawned) {
    Process p;
    try {
      p = new ProcessBuilder(command).directory(workDir.toFile()).start();
    } catch (IOException e) {
      throw new CodegenException("cannot start codegen worker (" + command.get(0) + "): " + e.getMessage(), e);
    }
    spawned.accept(p);
    StderrTail tail = new StderrTail(p.getErrorStream(), "weft-worker-" + id + "-stderr");
    DataOutputStream out = new DataOutputStream(new BufferedOutputStream(p.getOutputStream(), 1 << 16));
    DataInputStream in = new DataInputStream(new BufferedInputStream(p.getInputStream(), 1 << 16));
    AtomicBoolean killed = new AtomicBoolean();
    ScheduledFuture<?> kill = watchdog.schedule(() -> {
      killed.set(true);
      p.destroyForcibly();
    }, timeout.toMillis(), TimeUnit.MILLISECONDS);
    try {
      WorkerProtocol.Response first = WorkerProtocol.readResponse(in);
      if (first instanceof WorkerProtocol.Ready ready) return new WorkerProcess(p, ready.loadNanos(), out, in, tail);
      p.destroyForcibly();
      String why = first instanceof WorkerProtocol.Error e ? e.type() + ": " + e.message() : String.valueOf(first);
      throw new CodegenException("codegen worker failed to start: " + why);
    } catch (IOException e) {
      p.destroyForcibly();
      tail.awaitEnd(2000);
      throw new CodegenException("codegen worker " + (killed.get() ? "did not start within " + timeout : "died while starting")
          + ": " + lastLines(tail.since(0), 20), e);
    } finally {
      kill.cancel(false);
    }
  }

  long loadNanos() { return loadNanos; }

  boolean alive() { return process.isAlive(); }

  /** Sends a request and returns the worker's answer, or throws {@link Died}. */
  WorkerProtocol.Response call(CompileRequest request, Duration timeout, ScheduledExecutorService watchdog) throws Died {
    long mark = stderr.position();
    AtomicBoolean killed = new AtomicBoolean();
    ScheduledFuture<?> kill = watchdog.schedule(() -> {
      killed.set(true);
      process.destroyForcibly();
    }, timeout.toMillis(), TimeUnit.MILLISECONDS);
    try {
      WorkerProtocol.writeRequest(toWorker, request);
      return WorkerProtocol.readResponse(fromWorker);
    } catch (IOException e) {
      process.destroyForcibly();
      int code = -1;
      try {
        if (process.waitFor(5, TimeUnit.SECONDS)) code = process.exitValue();
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
      }
      stderr.awaitEnd(2000);
      throw new Died(killed.get() ? -1 : code, killed.get(), stderr.since(mark), e);
    } finally {
      kill.cancel(false);
    }
  }

  /** Asks the worker to quit; kills it if it has not within a second. */
  void stop() {
    try {
      WorkerProtocol.writeQuit(toWorker);
      toWorker.close();
    } catch (IOException ignored) {
      // already gone
    }
    try {
      if (!process.waitFor(1, TimeUnit.SECONDS)) process.destroyForcibly();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  void kill() { process.destroyForcibly(); }

  static String lastLines(String text, int n) {
    String[] lines = text.strip().split("\n");
    int from = Math.max(0, lines.length - n);
    return String.join("\n", java.util.Arrays.asList(lines).subList(from, lines.length));
  }
}
