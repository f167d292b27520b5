/**
 * The LLVM layer every backend shares: loading the JavaCPP natives ({@link dev.weft.codegen.llvm.LlvmNative}),
 * target descriptions for LLVM ({@link dev.weft.codegen.llvm.TargetSpec}), verification, the O3
 * pipeline and emission ({@link dev.weft.codegen.llvm.LlvmToolchain}), the checks that keep
 * modules LLVM would abort on away from it ({@link dev.weft.codegen.llvm.IntrinsicPreflight}),
 * compiling many kernels in this JVM or in worker JVMs ({@link dev.weft.codegen.llvm.Compiler},
 * {@link dev.weft.codegen.llvm.WorkerPool}), and the external tools ({@link dev.weft.codegen.llvm.Lld},
 * {@link dev.weft.codegen.llvm.ReadObj}, {@link dev.weft.codegen.llvm.Ptxas}).
 */
package dev.weft.codegen.llvm;
