import { describe, expect, it } from 'vitest';
import { multipartBoundary, parseMultipart } from './multipart.ts';

describe('multipart/form-data reader', () => {
  it('reads the boundary (quoted or not) and only for multipart bodies', () => {
    expect(multipartBoundary('multipart/form-data; boundary="a b"')).toBe('a b');
    expect(multipartBoundary('multipart/form-data; charset=utf-8; boundary=xyz')).toBe('xyz');
    expect(multipartBoundary('text/plain')).toBeUndefined();
    expect(() => multipartBoundary('multipart/form-data')).toThrow(/no boundary/);
  });

  it('splits parts with their names, file names, types and exact bytes', () => {
    const body = Buffer.from('preamble\r\n--xyz\r\nContent-Disposition: form-data; name="f"; filename="a \\"1\\".vcf"\r\nContent-Type: text/plain\r\n\r\nline1\r\nline2\r\n--xyz\r\nContent-Disposition: form-data; name="note"\r\n\r\nhi\r\n--xyz--\r\n');
    const parts = parseMultipart(body, 'xyz');
    expect(parts.map((p) => [p.name, p.filename, p.contentType, p.data.toString()])).toEqual([
      ['f', 'a "1".vcf', 'text/plain', 'line1\r\nline2'],
      ['note', undefined, undefined, 'hi'],
    ]);
  });

  it('rejects bodies without the boundary or with an unclosed part', () => {
    expect(() => parseMultipart(Buffer.from('nothing'), 'xyz')).toThrow(/does not occur/);
    expect(() => parseMultipart(Buffer.from('--xyz\r\nContent-Disposition: form-data; name="f"\r\n\r\nabc'), 'xyz')).toThrow(/not closed/);
  });
});
