// Byte line splitting: the same lines as node:readline (which the reader used before) whatever the chunking.
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { forEachLine } from './byte-lines.ts';
import { chunked } from './vcf-builder.test-support.ts';

async function split(text: string, size: number): Promise<string[]> {
  const lines: string[] = [];
  await forEachLine(chunked(text, size), (buf, start, end) => lines.push(buf.toString('utf8', start, end)));
  return lines;
}

async function readlineLines(text: string): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of createInterface({ input: Readable.from([Buffer.from(text, 'utf8')]), crlfDelay: Infinity })) lines.push(line);
  return lines;
}

const SIZES = [1, 2, 3, 5, 8, 64, 1 << 16];

describe('forEachLine', () => {
  it('splits LF, CRLF and lone CR lines, with and without a final newline, at every chunk size', async () => {
    const cases: [string, string[]][] = [
      ['a\nbb\nccc\n', ['a', 'bb', 'ccc']],
      ['a\nbb\nccc', ['a', 'bb', 'ccc']],
      ['a\r\nbb\r\n\r\nccc\r\n', ['a', 'bb', '', 'ccc']],
      ['a\r\nbb\r', ['a', 'bb']],
      ['a\rb\r\rc\n', ['a', 'b', '', 'c']],
      ['a\r\r\nb', ['a', '', 'b']],
      ['\n\nx\n\n', ['', '', 'x', '']],
      ['', []],
      ['only', ['only']],
    ];
    for (const [text, expected] of cases) {
      expect(await readlineLines(text)).toEqual(expected);
      for (const size of SIZES) expect(await split(text, size), `${JSON.stringify(text)} in chunks of ${size}`).toEqual(expected);
    }
  });

  it('keeps multi-byte UTF-8 split across chunks intact (lines are decoded whole)', async () => {
    const text = '##INFO=<Description="Allèle fréquence µ≥ 😀">\r\nchr1\t5\t.\tA\tG\t.\t.\tNOTE=é😀\tGT\t0/1';
    const expected = await readlineLines(text);
    expect(expected[1]).toContain('NOTE=é😀');
    for (const size of SIZES) expect(await split(text, size)).toEqual(expected);
  });

  it('copies a chunk object the source yields twice, so earlier lines keep their bytes', async () => {
    const reused = Buffer.from('ab\ncd\n');
    async function* twice() {
      yield reused;
      yield reused;
    }
    const seen: Buffer[] = [];
    await forEachLine(twice(), (buf) => seen.push(buf));
    expect(seen).toHaveLength(4);
    expect(seen[2]).not.toBe(seen[0]);
    expect(seen[2]!.toString()).toBe('ab\ncd\n');
  });
});
