/** Placeholder: filled in by the codegen and runtime work. */
package dev.weft.backend.cpu;
