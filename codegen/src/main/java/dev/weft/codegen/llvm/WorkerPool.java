package dev.weft.codegen.llvm;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Compiles in child JVMs ({@link CodegenWorker}) so that an LLVM fatal error costs one worker,
 * not the compiler. Workers are started on demand (or all at once by {@link #warmUp()}), kept
 * for later requests, and replaced when one dies: the request that killed it fails with a
 * {@link CodegenAbortException} naming the kernel and the reproducer file.
 */
public final class WorkerPool implements Compiler {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);
  private static final Duration START_TIMEOUT = Duration.ofMinutes(2);

  private final int size;
  private final Path reproducerDir;
  private final Duration timeout;
  private final List<String> command;
  private final Path workDir;
  private final Semaphore slots;
  private final BlockingQueue<WorkerProcess> idle = new LinkedBlockingQueue<>();
  private final Set<WorkerProcess> all = ConcurrentHashMap.newKeySet();
  private final ExecutorService dispatch;
  private final ScheduledExecutorService watchdog;
  private final AtomicInteger started = new AtomicInteger();
  private final AtomicInteger deaths = new AtomicInteger();
  private final java.util.concurrent.atomic.AtomicLong requests = new java.util.concurrent.atomic.AtomicLong();
  /** Every child process spawned, also those still loading LLVM: {@link #closeNow()} kills them all. */
  private final Set<Process> processes = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  /**
   * @param size worker processes at most
   * @param reproducerDir where the IR of a kernel that killed a worker is written
   * @param timeout per request; a worker that takes longer is killed and the request fails
   */
  public WorkerPool(int size, Path reproducerDir, Duration timeout) {
    if (size < 1) throw new IllegalArgumentException("worker pool size must be >= 1, got " + size);
    this.size = size;
    this.reproducerDir = reproducerDir;
    this.timeout = timeout;
    try {
      this.workDir = Files.createTempDirectory("weft-codegen-workers-");
    } catch (IOException e) {
      throw new CodegenException("cannot create a working directory for codegen workers: " + e.getMessage(), e);
    }
    this.command = workerCommand(workDir);
    this.slots = new Semaphore(size, true);
    AtomicInteger n = new AtomicInteger();
    this.dispatch = Executors.newFixedThreadPool(size, r -> daemon(r, "weft-worker-dispatch-" + n.incrementAndGet()));
    this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "weft-worker-watchdog"));
  }

  /** The child JVM's command line: this JVM's java, class path and native-access flags. */
  static List<String> workerCommand(Path workDir) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(absoluteClassPath(System.getProperty("java.class.path")));
    cmd.add("--enable-native-access=ALL-UNNAMED");
    cmd.add("--sun-misc-unsafe-memory-access=allow");
    // The worker's Java side is a loop around native calls: a small heap, a simple GC and the
    // C1 compiler only keep its start fast and its footprint small.
    cmd.add("-Xmx512m");
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-XX:-UsePerfData");
    cmd.add("-XX:-CreateCoredumpOnCrash");
    cmd.add("-XX:ErrorFile=" + workDir.resolve("hs_err_pid%p.log"));
    // The launcher's AOT cache (classes loaded and linked ahead of time) serves workers too: same
    // jar, same module flags. A cache that does not fit is skipped by the JVM; its log stays off.
    String aot = System.getProperty("weft.aot.cache");
    if (aot != null && Files.isRegularFile(Path.of(aot))) {
      cmd.add("-XX:AOTCache=" + aot);
      cmd.add("-Xlog:aot=off");
      cmd.add("-Xlog:cds=off");
    }
    Map<String, String> props = new TreeMap<>();
    System.getProperties().forEach((k, v) -> {
      if (k.toString().startsWith("org.bytedeco.")) props.put(k.toString(), v.toString());
    });
    props.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
    cmd.add(CodegenWorker.class.getName());
    return List.copyOf(cmd);
  }

  /** The class path with every entry made absolute: workers run in {@code workDir}, where a relative entry (java -jar weft.jar) resolves to nothing. */
  static String absoluteClassPath(String classPath) {
    List<String> entries = new ArrayList<>();
    for (String e : classPath.split(java.util.regex.Pattern.quote(File.pathSeparator))) {
      if (!e.isEmpty()) entries.add(Path.of(e).toAbsolutePath().toString());
    }
    return String.join(File.pathSeparator, entries);
  }

  @Override
  public Mode mode() { return Mode.WORKERS; }

  /** Starts every worker now (in parallel), so the first batch does not wait for JVM starts. */
  public void warmUp() {
    List<Future<?>> starts = new ArrayList<>();
    int missing = size - idle.size();
    for (int i = 0; i < missing; i++) {
      starts.add(dispatch.submit(() -> {
        if (!slots.tryAcquire()) return;
        try {
          idle.add(startWorker());
        } finally {
          slots.release();
        }
      }));
    }
    for (Future<?> f : starts) {
      try {
        f.get();
      } catch (Exception e) {
        throw new CodegenException("cannot start codegen workers: " + e.getMessage(), e);
      }
    }
  }

  /**
   * Starts up to {@code count} workers (at most the pool's size) on the pool's own threads and
   * returns at once: the JVM starts and LLVM loads overlap whatever the caller does next. A
   * request arriving meanwhile waits for a worker as it would for one it started itself; workers
   * beyond {@code count} start on demand. A start that fails here is not reported: the first
   * request starts a worker again and reports its failure.
   */
  public void startInBackground(int count) {
    int missing = Math.min(count, size) - idle.size();
    for (int i = 0; i < missing; i++) {
      dispatch.submit(() -> {
        if (closed || !slots.tryAcquire()) return;
        try {
          idle.add(startWorker());
        } catch (RuntimeException e) {
          // reported by the request that starts the next worker
        } finally {
          slots.release();
        }
      });
    }
  }

  /** Requests sent to workers since the pool was created (0: nothing needed it). */
  public long requestsServed() { return requests.get(); }

  @Override
  public CompileResult compile(CompileRequest request) {
    if (closed) throw new IllegalStateException("worker pool is closed");
    requests.incrementAndGet();
    slots.acquireUninterruptibly();
    try {
      WorkerProcess worker = idle.poll();
      while (worker != null && !worker.alive()) {
        all.remove(worker);
        worker = idle.poll();
      }
      if (worker == null) worker = startWorker();
      WorkerProtocol.Response response;
      try {
        response = worker.call(request, timeout, watchdog);
      } catch (WorkerProcess.Died died) {
        all.remove(worker);
        deaths.incrementAndGet();
        throw abort(request, died);
      }
      idle.add(worker);
      return switch (response) {
        case WorkerProtocol.Ok ok -> new CompileResult(request.kernel(), request.emit(), ok.output(), ok.optimizeNanos(), ok.emitNanos());
        case WorkerProtocol.Error e -> throw remoteError(e);
        case WorkerProtocol.Ready r -> throw new CodegenException("worker protocol out of step: ready frame as an answer");
      };
    } finally {
      slots.release();
    }
  }

  @Override
  public List<CompileResult> compileAll(List<CompileRequest> requests) {
    return compileAll(requests, r -> { });
  }

  @Override
  public List<CompileResult> compileAll(List<CompileRequest> requests, java.util.function.Consumer<CompileRequest> finished) {
    return OrderedParallel.run(requests, dispatch, this::compile, finished);
  }

  /** Workers started since the pool was created (the first ones plus replacements). */
  public int workersStarted() { return started.get(); }

  /** Requests whose worker died (aborted, was killed by a signal, or timed out). */
  public int workerDeaths() { return deaths.get(); }

  private WorkerProcess startWorker() {
    WorkerProcess w = WorkerProcess.start(command, workDir, START_TIMEOUT, watchdog, started.incrementAndGet(), p -> {
      processes.add(p);
      if (closed) p.destroyForcibly();
    });
    all.add(w);
    if (closed) {
      w.kill();
      throw new IllegalStateException("worker pool is closed");
    }
    return w;
  }

  private CodegenAbortException abort(CompileRequest request, WorkerProcess.Died died) {
    String how = died.timedOut
        ? "did not finish within " + timeout + " and was killed"
        : "ended with exit status " + died.exitCode + signalName(died.exitCode);
    String llvmSaid = WorkerProcess.lastLines(died.stderr, 12);
    String why = "worker " + how + (llvmSaid.isEmpty() ? "" : "\n" + llvmSaid);
    Path reproducer = Reproducers.write(reproducerDir, request, why);
    return new CodegenAbortException(request.kernel(),
        "LLVM died compiling kernel '" + request.kernel() + "' for " + request.spec().shortName() + ": " + why,
        died.timedOut ? -1 : died.exitCode, reproducer);
  }

  private static String signalName(int exitCode) {
    if (exitCode <= 128) return "";
    return switch (exitCode - 128) {
      case 4 -> " (SIGILL)";
      case 6 -> " (SIGABRT)";
      case 7 -> " (SIGBUS)";
      case 8 -> " (SIGFPE)";
      case 9 -> " (SIGKILL)";
      case 11 -> " (SIGSEGV)";
      default -> " (signal " + (exitCode - 128) + ")";
    };
  }

  private static CodegenException remoteError(WorkerProtocol.Error e) {
    return switch (e.type()) {
      case "IrVerificationException" -> new IrVerificationException(e.message());
      case "UnsupportedIntrinsicException" -> new UnsupportedIntrinsicException(e.message(), e.detail());
      default -> new CodegenException(e.message());
    };
  }

  @Override
  public void close() { shutDown(false); }

  /**
   * Ends the pool without waiting: every worker, running or still starting, is killed (no quit
   * frame, no wait for its exit). For a pool that turned out not to be needed.
   */
  public void closeNow() { shutDown(true); }

  /** Stops dispatching, then asks each started worker to quit (or kills every process at once with {@code now}). */
  private void shutDown(boolean now) {
    if (closed) return;
    closed = true;
    dispatch.shutdownNow();
    if (now) {
      for (Process p : processes) p.destroyForcibly();
    } else {
      for (WorkerProcess w : all) w.stop();
    }
    all.clear();
    idle.clear();
    watchdog.shutdownNow();
    deleteIfEmpty(workDir);
  }

  private static void deleteIfEmpty(Path dir) {
    File[] left = dir.toFile().listFiles();
    if (left != null && left.length == 0) dir.toFile().delete();
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
