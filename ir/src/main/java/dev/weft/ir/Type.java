package dev.weft.ir;

/** The type of an IR value. */
public sealed interface Type permits TensorType, SequenceType, OptionalType {}
