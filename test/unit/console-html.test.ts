import { describe, expect, it } from 'vitest';
import { escapeHtml, html } from '../../functions/console/html.js';

describe('console html', () => {
  it('escapes every interpolated value, in text and in attributes', () => {
    // Prepare
    const subject = `<script>alert("x")</script> & 'quoted'`;

    // Act
    const markup = html`<td title="${subject}">${subject}</td>`.text;

    // Assess
    expect(markup).toBe(
      '<td title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39;</td>',
    );
  });

  it('keeps markup it built itself, and leaves out empty values', () => {
    // Prepare
    const rows = ['a<b', 'c'].map((value) => html`<li>${value}</li>`);

    // Act
    const markup = html`<ul>${rows}${undefined}${false}</ul>`.text;

    // Assess
    expect(markup).toBe('<ul><li>a&lt;b</li><li>c</li></ul>');
    expect(escapeHtml(undefined)).toBe('');
  });
});
