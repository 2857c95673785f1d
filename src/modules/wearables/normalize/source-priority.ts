// Resolves overlapping samples of one metric from several sources by a source priority (chest strap > watch > phone).
import type { Sample, SourceKind } from '../model.ts';

/** Lower index = preferred. Kinds absent from the list rank after every listed one. */
export type SourcePriority = readonly SourceKind[];

/**
 * Drops every sample whose interval overlaps a sample of the same metric from a better-ranked source kind
 * (e.g. phone steps covered by watch steps). Samples of equal rank are all kept (they are different
 * measurements, deduplicated exactly by storage). Pure; returns samples sorted by metric then start.
 */
export function resolveOverlaps(samples: readonly Sample[], priority: SourcePriority): Sample[] {
  const rank = (k: SourceKind): number => {
    const i = priority.indexOf(k);
    return i < 0 ? priority.length : i;
  };
  const byMetric = new Map<string, Sample[]>();
  for (const s of samples) {
    const list = byMetric.get(s.metric);
    if (list) list.push(s);
    else byMetric.set(s.metric, [s]);
  }
  const out: Sample[] = [];
  for (const metric of [...byMetric.keys()].sort()) {
    const list = byMetric.get(metric)!;
    const ranks = [...new Set(list.map((s) => rank(s.sourceKind)))].sort((a, b) => a - b);
    // Intervals already claimed by better sources, merged into sorted disjoint spans (binary-searched per sample).
    let claimed: Span[] = [];
    for (const r of ranks) {
      const kept = list.filter((s) => rank(s.sourceKind) === r && !overlapsAny(claimed, s));
      out.push(...kept);
      claimed = mergeSpans([...claimed, ...kept.map(span)]);
    }
  }
  return out.sort((a, b) => (a.metric === b.metric ? a.start - b.start : a.metric < b.metric ? -1 : 1));
}

interface Span {
  start: number;
  end: number;
}

// Intervals are half-open [start, end); an instant occupies one millisecond so it can be covered.
function span(s: Sample): Span {
  return { start: s.start, end: s.end > s.start ? s.end : s.start + 1 };
}

function mergeSpans(spans: Span[]): Span[] {
  spans.sort((a, b) => a.start - b.start);
  const out: Span[] = [];
  for (const s of spans) {
    const last = out[out.length - 1];
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else out.push({ ...s });
  }
  return out;
}

function overlapsAny(spans: readonly Span[], sample: Sample): boolean {
  const s = span(sample);
  // Last span starting before s.end: the only one that can overlap, since spans are disjoint and sorted.
  let lo = 0, hi = spans.length - 1, found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (spans[mid]!.start < s.end) { found = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return found >= 0 && spans[found]!.end > s.start;
}
