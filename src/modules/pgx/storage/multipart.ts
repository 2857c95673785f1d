// A minimal multipart/form-data reader (RFC 7578) for PGx uploads: the body is already buffered (body limit applies),
// so the parts are slices of it.
import { FlauraError } from '../../../errors.ts';

export interface FormPart {
  name?: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

function bad(message: string): FlauraError {
  return new FlauraError('PGX_UPLOAD_INVALID', 400, `multipart body: ${message}`);
}

/** The boundary parameter of a `multipart/form-data` Content-Type, or undefined for other types. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/form-data\b/i.test(contentType)) return undefined;
  const m = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary) throw bad('the Content-Type has no boundary');
  return boundary;
}

function headerParam(header: string, name: string): string | undefined {
  const m = new RegExp(`;\\s*${name}="((?:[^"\\\\]|\\\\.)*)"|;\\s*${name}=([^;\\s]+)`, 'i').exec(header);
  const v = m?.[1] ?? m?.[2];
  return v?.replace(/\\(.)/g, '$1');
}

/** Splits a multipart body into its parts. */
export function parseMultipart(body: Buffer, boundary: string): FormPart[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: FormPart[] = [];
  let pos = body.indexOf(delimiter);
  if (pos < 0) throw bad(`the boundary '${boundary}' does not occur in the body`);
  for (;;) {
    pos += delimiter.length;
    if (body.subarray(pos, pos + 2).toString() === '--') return parts;
    if (body.subarray(pos, pos + 2).toString() === '\r\n') pos += 2;
    else if (body[pos] === 0x0a) pos += 1;
    const headerEnd = body.indexOf('\r\n\r\n', pos);
    if (headerEnd < 0) throw bad(`part ${parts.length + 1} has no end of headers`);
    const headers = body.subarray(pos, headerEnd).toString('utf8').split('\r\n');
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headerEnd + 4);
    if (next < 0) throw bad(`part ${parts.length + 1} is not closed by the boundary`);
    const disposition = headers.find((h) => /^content-disposition:/i.test(h)) ?? '';
    const type = headers.find((h) => /^content-type:/i.test(h));
    const name = headerParam(disposition, 'name');
    const filename = headerParam(disposition, 'filename');
    parts.push({ ...(name !== undefined ? { name } : {}), ...(filename !== undefined ? { filename } : {}), ...(type ? { contentType: type.slice(type.indexOf(':') + 1).trim() } : {}), data: body.subarray(headerEnd + 4, next) });
    pos = next + 2;
  }
}
