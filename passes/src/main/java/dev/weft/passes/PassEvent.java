package dev.weft.passes;

/**
 * What instruments learn about one pass run: its position in the pipeline, its entry text
 * (name and options), whether it changed the module, how long it took and node counts (every
 * graph, subgraphs included) before and after. Before a pass runs, changed/nanos/nodesAfter
 * are not known yet (false, 0, -1).
 */
public record PassEvent(int index, String pass, String entry, boolean changed, long nanos, int nodesBefore, int nodesAfter) {}
