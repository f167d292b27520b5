package dev.weft.passes.fusion;

import dev.weft.ir.Node;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code fuse} decided, for people ({@code weft optimize --explain-fusion}) and tests:
 * each group with its id, kind, members (with locations), bytes saved and why members joined,
 * and every neighbour it did not merge with and why.
 */
public final class FusionReport {
  /** One fused group as built; members as "op at location" (or "op -> %result"), taken before the rewrite. */
  public record Entry(String id, String kind, List<String> members, long bytesSaved, String reason, List<String> joins) {}

  /**
   * A refused merge, resolved to group ids ({@code null} for a node left unfused); the nodes are
   * named when asked (a large graph refuses an edge per node or so, and is rarely printed).
   */
  public static final class Refusal {
    private final String producerGroup;
    private final Object producer;
    private final String consumerGroup;
    private final Object consumer;
    private final String value;
    private final String reason;

    Refusal(String producerGroup, Object producer, String consumerGroup, Object consumer, String value, String reason) {
      this.producerGroup = producerGroup;
      this.producer = producer;
      this.consumerGroup = consumerGroup;
      this.consumer = consumer;
      this.value = value;
      this.reason = reason;
    }

    public String producerGroup() { return producerGroup; }

    public String producer() { return producer.toString(); }

    public String consumerGroup() { return consumerGroup; }

    public String consumer() { return consumer.toString(); }

    public String value() { return value; }

    public String reason() { return reason; }
  }

  /**
   * {@code items} as strings, each spelled when read: a large graph's report holds a label per
   * fused node and a line per merge, and building those strings up front cost more than the
   * grouping itself, while most runs never print them.
   */
  static List<String> spelled(List<?> items) {
    return new java.util.AbstractList<String>() {
      @Override public String get(int i) { return items.get(i).toString(); }

      @Override public int size() { return items.size(); }
    };
  }

  private final long symbolSize;
  private final long dupMaxBytes;
  private final List<Entry> entries = new ArrayList<>();
  private final List<Decision> pending = new ArrayList<>();
  private final List<Refusal> refusals = new ArrayList<>();

  FusionReport(long symbolSize, long dupMaxBytes) {
    this.symbolSize = symbolSize;
    this.dupMaxBytes = dupMaxBytes;
  }

  void add(Entry e) { entries.add(e); }

  void refuse(Decision d) { pending.add(d); }

  /** Names each refusal (of one graph's planning; {@code groupIds} are its fused groups' ids in order)'s groups; drops refusals between nodes that ended up in one group anyway. */
  void resolve(Map<Node, Group> groupOf, List<Group> groups, List<String> groupIds) {
    Map<Group, String> ids = new IdentityHashMap<>();
    int k = 0;
    for (Group g : groups) if (g.members.size() >= 2) ids.put(g, groupIds.get(k++));
    for (Decision d : pending) {
      Group pg = groupOf.get(d.producer());
      Group cg = groupOf.get(d.consumer());
      if (pg != null && pg == cg) continue;
      refusals.add(new Refusal(pg == null ? null : ids.get(pg), Planner.labelOf(d.producer()),
          cg == null ? null : ids.get(cg), Planner.labelOf(d.consumer()), d.value().name(), d.reason()));
    }
    pending.clear();
  }

  public List<Entry> entries() { return Collections.unmodifiableList(entries); }

  public List<Refusal> refusals() { return Collections.unmodifiableList(refusals); }

  public long totalBytesSaved() { return entries.stream().mapToLong(Entry::bytesSaved).sum(); }

  /** The text {@code --explain-fusion} prints. */
  public String text() {
    StringBuilder sb = new StringBuilder();
    sb.append("fusion: ").append(entries.size()).append(" groups, ~").append(totalBytesSaved())
        .append(" bytes of memory traffic saved (symbolic dims counted as ").append(symbolSize)
        .append("; producers up to ").append(dupMaxBytes).append(" bytes may be recomputed across a broadcast)\n");
    for (Entry e : entries) {
      sb.append('\n').append(e.id()).append("  kind=").append(e.kind()).append("  nodes=").append(e.members().size())
          .append("  bytes saved=").append(e.bytesSaved()).append('\n');
      sb.append("  why: ").append(e.reason()).append('\n');
      sb.append("  members:\n");
      for (String m : e.members()) sb.append("    ").append(m).append('\n');
      if (!e.joins().isEmpty()) {
        sb.append("  merged:\n");
        for (String j : e.joins()) sb.append("    ").append(j).append('\n');
      }
      List<String> not = new ArrayList<>();
      for (Refusal r : refusals) {
        if (e.id().equals(r.producerGroup())) {
          not.add("consumer " + r.consumer() + " (" + name(r.consumerGroup()) + ") of %" + r.value() + ": " + r.reason());
        } else if (e.id().equals(r.consumerGroup())) {
          not.add("producer " + r.producer() + " (" + name(r.producerGroup()) + ") of %" + r.value() + ": " + r.reason());
        }
      }
      if (!not.isEmpty()) {
        sb.append("  not merged:\n");
        for (String s : not) sb.append("    ").append(s).append('\n');
      }
    }
    List<String> loose = new ArrayList<>();
    for (Refusal r : refusals) {
      if (r.producerGroup() == null && r.consumerGroup() == null) {
        loose.add("  " + r.producer() + " -> " + r.consumer() + " (%" + r.value() + "): " + r.reason());
      }
    }
    if (!loose.isEmpty()) {
      sb.append("\nunfused neighbours:\n");
      loose.forEach(s -> sb.append(s).append('\n'));
    }
    return sb.toString();
  }

  private static String name(String group) { return group == null ? "unfused" : group; }
}
