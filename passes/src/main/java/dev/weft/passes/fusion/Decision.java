package dev.weft.passes.fusion;

import dev.weft.ir.Node;
import dev.weft.ir.Value;

/** One edge the planner looked at and did not fuse across: producer, consumer, the value, why. */
record Decision(Node producer, Node consumer, Value value, String reason) {}
