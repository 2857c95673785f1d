// HTML → Markdown conversion of the annotation texts.
import { describe, expect, it } from 'vitest';
import { htmlToMarkdown, markdownToPlain } from './html-to-markdown.ts';

describe('htmlToMarkdown', () => {
  it('converts paragraphs, headings, lists, emphasis, links and entities', () => {
    const md = htmlToMarkdown('<p>Use &lt;20 mg &amp; <strong>avoid</strong> &quot;x&quot;</p>\n<h4 id="o">Other Considerations</h4>\n<ul>\n<li>one</li>\n<li><em>two</em></li>\n</ul><ol><li>see <a href="https://x.org/a">A</a></li></ol>');
    expect(md).toBe('Use <20 mg & **avoid** "x"\n\n#### Other Considerations\n\n- one\n- *two*\n\n1. see [A](https://x.org/a)');
    expect(markdownToPlain(md)).toContain('Other Considerations\n\n- one\n- two');
  });

  it('converts tables to pipe tables', () => {
    expect(htmlToMarkdown('<table><thead><tr><th>a</th><th>b</th></tr></thead><tbody><tr><td>1</td><td>x|y</td></tr></tbody></table>')).toBe('| a | b |\n| --- | --- |\n| 1 | x\\|y |');
  });
});
