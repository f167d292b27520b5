package dev.weft.ir;

/**
 * One use of a value: operand {@code index} of {@code user}, or, when {@code user} is null,
 * output {@code index} of graph {@code outputOf}.
 */
public record Use(Node user, Graph outputOf, int index) {
  public boolean isGraphOutput() { return user == null; }
}
