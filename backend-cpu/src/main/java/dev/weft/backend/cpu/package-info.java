/** Host CPU backend: the "cpu" and "cpu:portable" targets and kernels.so built with the LLVM jar's ld.lld. */
package dev.weft.backend.cpu;
