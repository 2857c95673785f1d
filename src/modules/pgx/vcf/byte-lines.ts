// Line splitting of a byte stream without decoding it: a genome VCF has millions of lines, of which the PGx reader
// needs ~1,000, so lines are handed on as byte ranges and only the ones that matter are turned into strings.

/**
 * Receives one line as `buf[start, end)`, without its line break. A `buf` keeps its content after the call (a chunk
 * object the source yields a second time is copied), so a handler may cache facts about it across lines.
 */
export type ByteLineHandler = (buf: Buffer, start: number, end: number) => void;

const LF = 0x0a;
const CR = 0x0d;

/**
 * Calls `onLine` for every line of `chunks`, with the line breaks of node:readline (`crlfDelay: Infinity`), which
 * the reader used before: `\n`, `\r\n` (also when split across chunks) and a lone `\r`; a last line without a final
 * break is a line, an empty text after the final break is not. Lines may span any number of chunks.
 */
export async function forEachLine(chunks: AsyncIterable<Buffer>, onLine: ByteLineHandler): Promise<void> {
  let carry: Buffer | null = null;
  const seen = new WeakSet<Buffer>();
  for await (const yielded of chunks) {
    const chunk = seen.has(yielded) ? Buffer.from(yielded) : yielded;
    seen.add(chunk);
    let start = 0;
    if (carry) {
      const nl = chunk.indexOf(LF);
      if (nl < 0) {
        carry = Buffer.concat([carry, chunk]);
        continue;
      }
      // Only the split line is copied; the rest of the chunk is scanned in place.
      const joined = Buffer.concat([carry, chunk.subarray(0, nl)]);
      carry = null;
      emitLines(joined, 0, joined.length, onLine);
      start = nl + 1;
    }
    const lastNl = chunk.lastIndexOf(LF);
    if (lastNl >= start) {
      emitLines(chunk, start, lastNl + 1, onLine);
      start = lastNl + 1;
    }
    // A copy: the source may reuse the chunk's memory.
    if (start < chunk.length) carry = Buffer.from(chunk.subarray(start));
  }
  if (carry) emitLines(carry, 0, carry.length, onLine);
}

/**
 * Emits the lines of `buf[start, end)`, which holds whole lines (the last one may lack its `\n`). The next `\r` is
 * looked up once and reused until passed, so a file without lone `\r` costs one scan per chunk, not one per line.
 */
function emitLines(buf: Buffer, start: number, end: number, onLine: ByteLineHandler): void {
  let crAt = -1;
  let s = start;
  while (s < end) {
    let nl = buf.indexOf(LF, s);
    if (nl < 0 || nl >= end) nl = end;
    let e = nl;
    if (e > s && buf[e - 1] === CR) e--;
    if (crAt < s) crAt = nextByte(buf, CR, s, end);
    if (crAt >= e) onLine(buf, s, e);
    else {
      // Lone `\r` inside: each one ends a line too (old Mac line ends), as readline has it.
      let from = s;
      while (crAt < e) {
        onLine(buf, from, crAt);
        from = crAt + 1;
        crAt = nextByte(buf, CR, from, end);
      }
      onLine(buf, from, e);
    }
    s = nl + 1;
  }
}

/** Index of `byte` in `buf[from, end)`, or `end` when absent. */
function nextByte(buf: Buffer, byte: number, from: number, end: number): number {
  const i = buf.indexOf(byte, from);
  return i < 0 || i >= end ? end : i;
}
