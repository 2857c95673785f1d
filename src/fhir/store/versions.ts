// Version ids and ETags (FHIR R4 http.html#versioning): weak ETags W/"<versionId>".
import { errors } from '../../errors.ts';

export function formatEtag(versionId: string | number): string {
  return `W/"${versionId}"`;
}

/** Accepts `W/"3"`, `"3"` or `3`; anything else is a 400 (a malformed If-Match must not silently pass). */
export function parseEtag(value: string): string {
  const match = /^(?:W\/)?"?([A-Za-z0-9\-.]{1,64})"?$/.exec(value.trim());
  if (!match?.[1]) throw errors.badRequest('INVALID_ETAG', `Malformed ETag '${value}': expected W/"<versionId>"`);
  return match[1];
}
