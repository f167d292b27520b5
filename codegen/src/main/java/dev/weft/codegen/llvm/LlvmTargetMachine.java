package dev.weft.codegen.llvm;

import static org.bytedeco.llvm.global.LLVM.*;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.llvm.LLVM.LLVMTargetDataRef;
import org.bytedeco.llvm.LLVM.LLVMTargetMachineRef;

/**
 * An LLVM TargetMachine for one {@link TargetSpec} (opt level aggressive; PIC on the host so the
 * objects link into a shared library). Not safe to use from two threads at once: give each
 * compiling thread its own.
 */
public final class LlvmTargetMachine implements AutoCloseable {
  private final TargetSpec spec;
  private final LLVMTargetMachineRef ref;
  private final String dataLayout;
  private boolean closed;

  LlvmTargetMachine(TargetSpec spec, LLVMTargetMachineRef ref) {
    this.spec = spec;
    this.ref = ref;
    LLVMTargetDataRef td = LLVMCreateTargetDataLayout(ref);
    try {
      BytePointer s = LLVMCopyStringRepOfTargetData(td);
      try {
        this.dataLayout = s.getString();
      } finally {
        LLVMDisposeMessage(s);
      }
    } finally {
      LLVMDisposeTargetData(td);
    }
  }

  public TargetSpec spec() { return spec; }

  public LLVMTargetMachineRef ref() { return ref; }

  /** The data layout string modules for this target must carry. */
  public String dataLayout() { return dataLayout; }

  @Override
  public void close() {
    if (closed) return;
    closed = true;
    LLVMDisposeTargetMachine(ref);
  }
}
