package dev.weft.codegen.llvm;

/** What a compile request returns. */
public enum EmitKind {
  /** ELF object code (host objects, AMDGPU code objects before linking). */
  OBJECT,
  /** Assembly text (PTX on nvptx). */
  ASSEMBLY,
  /** Bitcode of the (optimized) module, for linking several kernels before one emission. */
  BITCODE
}
