// Search results on the course site: the summary under each result is cut from the page's HTML, where equations
// are still TeX source (MathJax typesets them only on the page itself). Display equations are left out of the
// summary, and inline math is turned into plain text: Greek letters as letters, other commands and braces dropped.
(() => {
  const GREEK = {
    alpha: "α", beta: "β", gamma: "γ", delta: "δ", epsilon: "ε", varepsilon: "ε", eta: "η", theta: "θ",
    kappa: "κ", lambda: "λ", mu: "μ", nu: "ν", pi: "π", rho: "ρ", sigma: "σ", tau: "τ", varphi: "φ",
    phi: "φ", omega: "ω", ell: "ℓ", Omega: "Ω", Sigma: "Σ", Delta: "Δ", nabla: "∇", cdot: "·",
    le: "≤", ge: "≥", leq: "≤", geq: "≥", approx: "≈", infty: "∞", to: "→", times: "×",
  };
  const plainTeX = (tex) => tex
    .replace(/^\\\(|\\\)$/g, "")
    .replace(/\\([A-Za-z]+)/g, (_, name) => GREEK[name] ?? "")
    .replace(/[{}]/g, "")
    .replace(/\s+/g, " ")
    .trim();

  const install = () => {
    if (typeof Search === "undefined" || typeof Search.htmlToText !== "function") return;
    const htmlToText = Search.htmlToText;
    Search.htmlToText = (htmlString, anchor) => {
      const doc = new DOMParser().parseFromString(htmlString, "text/html");
      doc.querySelectorAll("div.math").forEach((el) => el.remove());
      doc.querySelectorAll("span.math").forEach((el) => el.replaceWith(plainTeX(el.textContent)));
      return htmlToText(doc.documentElement.outerHTML, anchor);
    };
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", install);
  else install();
})();
