// The Markdown subset renderer escapes first: no markup or script URL from the data can get through.
import { describe, expect, it } from 'vitest';
import { markdownToHtml } from './markdown-html.ts';

describe('markdownToHtml', () => {
  it('renders paragraphs, headings, lists, tables, emphasis and http(s) links', () => {
    expect(markdownToHtml('Use **standard** dose.\n\n#### Other Considerations\n\n- one\n- *two*\n\n1. [CPIC](https://cpicpgx.org/)\n\n| a | b |\n| --- | --- |\n| 1 | x\\|y |')).toBe(
      '<p>Use <strong>standard</strong> dose.</p>\n<h5>Other Considerations</h5>\n<ul><li>one</li><li><em>two</em></li></ul>\n<ol><li><a href="https://cpicpgx.org/">CPIC</a></li></ol>\n<table><thead><tr><th>a</th><th>b</th></tr></thead><tbody><tr><td>1</td><td>x|y</td></tr></tbody></table>',
    );
  });

  it('escapes HTML and refuses non-http links', () => {
    const html = markdownToHtml('<img src=x onerror=alert(1)> [x](javascript:alert(1)) [y](https://a.org/?q="><script>)');
    expect(html).not.toMatch(/<img|<script|href="javascript/);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('[x](javascript:alert(1))');
  });
});
