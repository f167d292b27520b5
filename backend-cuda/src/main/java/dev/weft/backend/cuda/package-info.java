/** NVPTX backend: the cuda:sm_80/sm_90/sm_90a targets, kernels.ptx and (with ptxas) kernels.cubin. */
package dev.weft.backend.cuda;
