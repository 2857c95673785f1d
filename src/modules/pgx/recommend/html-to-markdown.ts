// Converts the guideline annotations' small HTML subset (p, h4, ul/ol/li, table, strong, em, a, br) to Markdown once, at build time.

const ENTITIES: Record<string, string> = { '&gt;': '>', '&lt;': '<', '&quot;': '"', '&amp;': '&', '&ge;': '≥', '&le;': '≤', '&nbsp;': ' ', '&#39;': "'" };

function decode(text: string): string {
  return text.replace(/&(?:#(\d+)|[a-z]+|#39);/g, (m, num: string | undefined) => (num ? String.fromCodePoint(Number(num)) : ENTITIES[m] ?? m));
}

function cells(row: string): string[] {
  return [...row.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) => inline(c[1] ?? '').replace(/\|/g, '\\|'));
}

function inline(html: string): string {
  return decode(
    html
      .replace(/<br\s*\/?>/g, ' ')
      .replace(/<(strong|b)>([\s\S]*?)<\/\1>/g, '**$2**')
      .replace(/<em>([\s\S]*?)<\/em>/g, '*$1*')
      .replace(/<a [^>]*href="([^"]+)"[^>]*>([\s\S]*?)<\/a>/g, '[$2]($1)')
      .replace(/<[^>]+>/g, ''),
  ).replace(/\s+/g, ' ').trim();
}

function table(html: string): string {
  const rows = [...html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) => cells(r[1] ?? ''));
  if (rows.length === 0) return '';
  const width = Math.max(...rows.map((r) => r.length));
  const line = (r: string[]) => `| ${Array.from({ length: width }, (_, i) => r[i] ?? '').join(' | ')} |`;
  const [head, ...body] = rows;
  return [line(head ?? []), `|${' --- |'.repeat(width)}`, ...body.map(line)].join('\n');
}

function list(html: string, ordered: boolean): string {
  return [...html.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m, i) => `${ordered ? `${i + 1}.` : '-'} ${inline(m[1] ?? '')}`).join('\n');
}

/** HTML (as found in `text.html`) → Markdown blocks separated by blank lines. */
export function htmlToMarkdown(html: string): string {
  const blocks: string[] = [];
  const re = /<(p|h4|ul|ol|table)[^>]*>([\s\S]*?)<\/\1>/g;
  let last = 0;
  for (const m of html.matchAll(re)) {
    const between = inline(html.slice(last, m.index));
    if (between) blocks.push(between);
    last = (m.index ?? 0) + m[0].length;
    const tag = m[1];
    const body = m[2] ?? '';
    if (tag === 'p') blocks.push(inline(body));
    else if (tag === 'h4') blocks.push(`#### ${inline(body)}`);
    else if (tag === 'ul' || tag === 'ol') blocks.push(list(body, tag === 'ol'));
    else blocks.push(table(body));
  }
  const tail = inline(html.slice(last));
  if (tail) blocks.push(tail);
  return blocks.filter((b) => b.length > 0).join('\n\n');
}

/** Plain-text form of a Markdown string (for the first-sentence rules and plain renderings). */
export function markdownToPlain(md: string): string {
  return md.replace(/^#### /gm, '').replace(/\*\*([^*]+)\*\*/g, '$1').replace(/\*([^*]+)\*/g, '$1').replace(/\[([^\]]+)\]\([^)]+\)/g, '$1');
}
