// Reads newline-delimited JSON from a byte/text stream, one parsed value (or parse error) per non-empty line.

/** One line of NDJSON: its 1-based number and the parsed value, or the parse error. */
export type JsonLine = { line: number; value: unknown } | { line: number; error: string; text: string };

/** Splits a stream into lines without holding more than one partial line, and parses each as JSON. */
export async function* readJsonLines(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<JsonLine> {
  const decoder = new TextDecoder('utf-8');
  let pending = '';
  let line = 0;
  const parse = (text: string): JsonLine | undefined => {
    line++;
    const trimmed = text.trim();
    if (trimmed === '') return undefined;
    try {
      return { line, value: JSON.parse(trimmed) as unknown };
    } catch (e) {
      return { line, error: (e as Error).message, text: trimmed.slice(0, 200) };
    }
  };
  for await (const chunk of chunks) {
    pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let from = 0;
    let nl: number;
    while ((nl = pending.indexOf('\n', from)) >= 0) {
      const r = parse(pending.slice(from, nl));
      from = nl + 1;
      if (r) yield r;
    }
    pending = pending.slice(from);
  }
  pending += decoder.decode();
  const r = parse(pending);
  if (r) yield r;
}
