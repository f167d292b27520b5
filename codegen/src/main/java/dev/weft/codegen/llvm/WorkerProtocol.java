package dev.weft.codegen.llvm;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The frames between {@link WorkerPool} and {@link CodegenWorker}: length-prefixed fields behind
 * a magic number, so stray bytes on the pipe read as a protocol error, not as a kernel.
 *
 * <pre>
 * request:  int 'WFRQ', byte op (1 compile, 2 quit)
 *           compile: str kernel, str triple, str cpu, str features, bool optimize, byte emit, bytes bitcode
 * response: int 'WFRS', byte status
 *           0 ok:    bytes output, long optimizeNanos, long emitNanos
 *           1 error: str exception type, str message, str detail
 *           2 ready: long loadNanos
 * str = int length + UTF-8; bytes = int length + bytes
 * </pre>
 */
final class WorkerProtocol {
  static final int REQUEST = 0x57465251;
  static final int RESPONSE = 0x57465253;
  static final byte OP_COMPILE = 1;
  static final byte OP_QUIT = 2;
  static final byte OK = 0;
  static final byte ERROR = 1;
  static final byte READY = 2;
  /** Bitcode and objects of one kernel stay far below this; a larger length is a corrupt frame. */
  static final int MAX_FIELD = 1 << 30;

  private WorkerProtocol() {}

  /** A worker's answer. */
  sealed interface Response permits Ready, Ok, Error {}

  record Ready(long loadNanos) implements Response {}

  record Ok(byte[] output, long optimizeNanos, long emitNanos) implements Response {}

  record Error(String type, String message, String detail) implements Response {}

  static void writeRequest(DataOutputStream out, CompileRequest r) throws IOException {
    out.writeInt(REQUEST);
    out.writeByte(OP_COMPILE);
    writeString(out, r.kernel());
    writeString(out, r.spec().triple());
    writeString(out, r.spec().cpu());
    writeString(out, r.spec().features());
    out.writeBoolean(r.optimize());
    out.writeByte(r.emit().ordinal());
    writeBytes(out, r.bitcode());
    out.flush();
  }

  static void writeQuit(DataOutputStream out) throws IOException {
    out.writeInt(REQUEST);
    out.writeByte(OP_QUIT);
    out.flush();
  }

  /** The next request, or null for quit or end of input. */
  static CompileRequest readRequest(DataInputStream in) throws IOException {
    int magic;
    try {
      magic = in.readInt();
    } catch (EOFException e) {
      return null;
    }
    expect(magic, REQUEST);
    byte op = in.readByte();
    if (op == OP_QUIT) return null;
    if (op != OP_COMPILE) throw new IOException("unknown worker request op " + op);
    String kernel = readString(in);
    TargetSpec spec = new TargetSpec(readString(in), readString(in), readString(in));
    boolean optimize = in.readBoolean();
    int emit = in.readByte();
    if (emit < 0 || emit >= EmitKind.values().length) throw new IOException("unknown emit kind " + emit);
    return new CompileRequest(kernel, spec, readBytes(in), optimize, EmitKind.values()[emit]);
  }

  static void writeReady(DataOutputStream out, long loadNanos) throws IOException {
    out.writeInt(RESPONSE);
    out.writeByte(READY);
    out.writeLong(loadNanos);
    out.flush();
  }

  static void writeOk(DataOutputStream out, CompileResult r) throws IOException {
    out.writeInt(RESPONSE);
    out.writeByte(OK);
    writeBytes(out, r.output());
    out.writeLong(r.optimizeNanos());
    out.writeLong(r.emitNanos());
    out.flush();
  }

  static void writeError(DataOutputStream out, String type, String message, String detail) throws IOException {
    out.writeInt(RESPONSE);
    out.writeByte(ERROR);
    writeString(out, type);
    writeString(out, message == null ? "" : message);
    writeString(out, detail == null ? "" : detail);
    out.flush();
  }

  /** Reads one response; EOF (the worker died) surfaces as {@link EOFException}. */
  static Response readResponse(DataInputStream in) throws IOException {
    expect(in.readInt(), RESPONSE);
    byte status = in.readByte();
    return switch (status) {
      case OK -> new Ok(readBytes(in), in.readLong(), in.readLong());
      case ERROR -> new Error(readString(in), readString(in), readString(in));
      case READY -> new Ready(in.readLong());
      default -> throw new IOException("unknown worker response status " + status);
    };
  }

  private static void expect(int magic, int wanted) throws IOException {
    if (magic != wanted) {
      throw new IOException(String.format("worker protocol out of step: magic 0x%08x, expected 0x%08x", magic, wanted));
    }
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    writeBytes(out, s.getBytes(StandardCharsets.UTF_8));
  }

  private static String readString(DataInputStream in) throws IOException {
    return new String(readBytes(in), StandardCharsets.UTF_8);
  }

  private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
    out.writeInt(b.length);
    out.write(b);
  }

  private static byte[] readBytes(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > MAX_FIELD) throw new IOException("worker frame field of " + n + " bytes");
    byte[] b = new byte[n];
    in.readFully(b);
    return b;
  }
}
