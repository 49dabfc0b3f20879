// A page's title as the index, the navigation bars and the browser's tab show it. The titles are the notebooks'
// `# ` headings, where the maths is LaTeX ($\nabla_{h^{(t)}} L$) that MathJax typesets in the page itself; outside
// the page nothing typesets it, so the book writes it as text: ∇h(t) L in a tab (plain text), ∇<sub>h(t)</sub> L
// in the index and the navigation bars (HTML), the letters in italics as MathJax sets them. Only the little LaTeX that
// headings use is known; anything else stops the build with the title, so that no page shows raw LaTeX.

const SYMBOLS = {
  nabla: '∇',
  partial: '∂',
  tau: 'τ',
  theta: 'θ',
  xi: 'ξ',
  sigma: 'σ',
  top: 'ᵀ',
  odot: '⊙',
  cdot: '·',
  times: '×',
  ldots: '…',
};

const escapeHtml = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** One formula (the inside of $…$) as text or HTML. */
function formula(tex, html, title) {
  let i = 0;
  const fail = (why) => {
    throw new Error(`the title "${title}" has LaTeX the book cannot write as text: ${why}`);
  };
  // one group: {…}, \command or a single character
  const group = () => {
    if (tex[i] === '{') {
      let depth = 1;
      const start = ++i;
      while (i < tex.length && depth > 0) {
        if (tex[i] === '{') depth++;
        else if (tex[i] === '}') depth--;
        i++;
      }
      if (depth > 0) fail('an unclosed {');
      return sequence(tex.slice(start, i - 1));
    }
    if (tex[i] === '\\') {
      const name = /^\\([A-Za-z]+)/.exec(tex.slice(i))?.[1] ?? fail(`a lone \\ at "${tex.slice(i)}"`);
      i += name.length + 1;
      return SYMBOLS[name] ?? fail(`\\${name}`);
    }
    const c = tex[i++];
    if (c === '$') fail('a $ inside a formula');
    return /[A-Za-z]/.test(c) && html ? `<i>${c}</i>` : html ? escapeHtml(c) : c;
  };
  const sequence = (part) => {
    const outer = [tex, i];
    tex = part;
    i = 0;
    let out = '';
    while (i < tex.length) {
      const c = tex[i];
      if (c === '_' || c === '^') {
        i++;
        const script = group();
        // h^{(t)}, the book's time step, reads as h(t); other scripts are set small (in text: inline)
        const step = c === '^' && /^\(.*\)$/.test(script.replace(/<[^>]+>/g, ''));
        const inline = !html || step || script === SYMBOLS.top; // ᵀ is already small
        out += inline ? script : c === '_' ? `<sub>${script}</sub>` : `<sup>${script}</sup>`;
      } else out += group();
    }
    [tex, i] = outer;
    return out;
  };
  return sequence(tex).replace(/\s+/g, ' ');
}

function render(title, html) {
  const parts = title.split('$');
  if (parts.length % 2 === 0) throw new Error(`the title "${title}" has an unclosed $`);
  return parts
    .map((p, k) => (k % 2 === 1 ? formula(p, html, title) : html ? escapeHtml(p) : p))
    .join('')
    .trim();
}

/** The title as plain text (a tab, the manifest): "3 · The ∇h(t) L recursion". */
export const titleText = (title) => render(title, false);

/** The title as HTML (the index, the navigation bars): "3 · The ∇<sub><i>h</i>(<i>t</i>)</sub> <i>L</i> recursion". */
export const titleHtml = (title) => render(title, true);
