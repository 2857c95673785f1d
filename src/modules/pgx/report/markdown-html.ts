// Renders the small Markdown subset of recommendation texts as HTML, escaping first so no input markup survives.
import { escapeHtml } from './escape.ts';

function inline(escaped: string): string {
  return escaped
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/\*([^*]+)\*/g, '<em>$1</em>')
    .replace(/\[([^\]]+)\]\((https?:\/\/[^)\s]+)\)/g, '<a href="$2">$1</a>');
}

function table(lines: string[]): string {
  const rows = lines.filter((l) => !/^\|(\s*---\s*\|)+$/.test(l)).map((l) => l.replace(/^\||\|$/g, '').split(/(?<!\\)\|/).map((c) => inline(c.trim().replace(/\\\|/g, '|'))));
  const [head, ...body] = rows;
  return `<table><thead><tr>${(head ?? []).map((c) => `<th>${c}</th>`).join('')}</tr></thead><tbody>${body.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

/** Markdown blocks (paragraphs, `####` headings, `-`/`1.` lists, pipe tables) → HTML. */
export function markdownToHtml(md: string): string {
  return escapeHtml(md)
    .split(/\n{2,}/)
    .map((block) => {
      const lines = block.split('\n');
      if (block.startsWith('#### ')) return `<h5>${inline(block.slice(5))}</h5>`;
      if (lines.every((l) => l.startsWith('- '))) return `<ul>${lines.map((l) => `<li>${inline(l.slice(2))}</li>`).join('')}</ul>`;
      if (lines.every((l) => /^\d+\. /.test(l))) return `<ol>${lines.map((l) => `<li>${inline(l.replace(/^\d+\. /, ''))}</li>`).join('')}</ol>`;
      if (lines.every((l) => l.startsWith('|'))) return table(lines);
      return `<p>${inline(lines.join('<br>'))}</p>`;
    })
    .join('\n');
}
