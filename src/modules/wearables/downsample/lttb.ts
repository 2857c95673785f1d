// Largest-Triangle-Three-Buckets downsampling (Steinarsson 2013, "Downsampling Time Series for Visual Representation").

/** One point of a series: time (any monotonic number, e.g. epoch ms) and value. */
export interface SeriesPoint {
  t: number;
  v: number;
}

/**
 * Reduces `points` (sorted by t) to at most `threshold` points keeping the visual shape: the first and last points
 * are kept, and from each bucket the point forming the largest triangle with the previously kept point and the
 * next bucket's average. Peaks survive because they make large triangles. Pure; O(n).
 */
export function lttb<P extends SeriesPoint>(points: readonly P[], threshold: number): P[] {
  const n = points.length;
  if (threshold >= n || threshold <= 0) return points.slice();
  if (threshold < 3) return threshold === 1 ? [points[0]!] : [points[0]!, points[n - 1]!];
  const out: P[] = [points[0]!];
  const every = (n - 2) / (threshold - 2);
  let a = 0;
  for (let i = 0; i < threshold - 2; i++) {
    // Average of the next bucket (the third triangle vertex).
    const nextStart = Math.floor((i + 1) * every) + 1;
    const nextEnd = Math.min(Math.floor((i + 2) * every) + 1, n);
    let avgT = 0, avgV = 0;
    for (let j = nextStart; j < nextEnd; j++) {
      avgT += points[j]!.t;
      avgV += points[j]!.v;
    }
    const len = nextEnd - nextStart || 1;
    avgT /= len;
    avgV /= len;
    const start = Math.floor(i * every) + 1;
    const end = Math.floor((i + 1) * every) + 1;
    const pa = points[a]!;
    let maxArea = -1, chosen = start;
    for (let j = start; j < end; j++) {
      const p = points[j]!;
      const area = Math.abs((pa.t - avgT) * (p.v - pa.v) - (pa.t - p.t) * (avgV - pa.v));
      if (area > maxArea) {
        maxArea = area;
        chosen = j;
      }
    }
    out.push(points[chosen]!);
    a = chosen;
  }
  out.push(points[n - 1]!);
  return out;
}
