package dev.weft.codegen.llvm;

import static org.bytedeco.llvm.global.LLVM.LLVMDisposeModule;

import org.bytedeco.llvm.LLVM.LLVMContextRef;
import org.bytedeco.llvm.LLVM.LLVMModuleRef;

/**
 * A module together with the context it lives in. Closing disposes the module and, when this
 * object created the context, the context too (a context must outlive its modules, and LLVM
 * contexts are not thread-safe: one thread at a time per context).
 */
public final class OwnedModule implements AutoCloseable {
  private final LLVMContextRef context;
  private final LLVMModuleRef module;
  private final boolean ownsContext;
  private boolean closed;

  public OwnedModule(LLVMContextRef context, LLVMModuleRef module, boolean ownsContext) {
    this.context = context;
    this.module = module;
    this.ownsContext = ownsContext;
  }

  public LLVMContextRef context() { return context; }

  public LLVMModuleRef module() { return module; }

  @Override
  public void close() {
    if (closed) return;
    closed = true;
    LLVMDisposeModule(module);
    if (ownsContext) LlvmContexts.dispose(context);
  }
}
