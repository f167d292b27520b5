/** AMDGPU backend: the rocm:gfx90a/gfx942 targets and kernels.hsaco linked with the LLVM jar's ld.lld. */
package dev.weft.backend.rocm;
