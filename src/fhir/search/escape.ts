// Search value escaping (https://hl7.org/fhir/R4/search.html#escaping): `\,` `\|` `\$` `\\`.

/** Splits on `sep` where it is not preceded by a backslash escape; parts keep their escapes. */
export function splitUnescaped(text: string, sep: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) {
      current += c + text[i + 1];
      i++;
    } else if (c === sep) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts;
}

/** Removes escapes: `\,` -> `,`. */
export function unescapeValue(text: string): string {
  return text.replace(/\\([\\,|$])/g, '$1');
}

/** Escapes the characters that separate values and their parts. */
export function escapeValue(text: string): string {
  return text.replace(/[\\,|$]/g, (c) => `\\${c}`);
}
