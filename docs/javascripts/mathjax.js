// MathJax set-up for pymdownx.arithmatex (generic mode): $...$ inline, $$...$$ display.
// MathJax itself (tex-svg-full.js) is served by the site (docs/hooks/mathjax.py).
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"]],
    displayMath: [["\\[", "\\]"]],
    processEscapes: true,
    processEnvironments: true,
  },
  options: {
    ignoreHtmlClass: ".*|",
    processHtmlClass: "arithmatex",
  },
};

// Typeset again whenever Material swaps in a page's content (the first time
// MathJax does it by itself, when it has loaded).
document$.subscribe(() => {
  if (!window.MathJax.typesetPromise) return;
  MathJax.typesetClear();
  MathJax.texReset();
  MathJax.typesetPromise();
});
