// Phones: an inline formula wider than its line (a long chain of equalities in a narrow column) scrolls inside
// its own box instead of being cut off. Only those formulas get the box, so that every other inline formula
// keeps its place on the text's baseline. Display equations always have their box (course.css).
(() => {
  const mark = () => {
    document.querySelectorAll("mjx-container[jax]:not([display='true'])").forEach((el) => {
      if (!el.dataset.naturalWidth) el.dataset.naturalWidth = el.getBoundingClientRect().width;
      const line = el.parentElement.getBoundingClientRect().width;
      el.classList.toggle("wide-inline-math", Number(el.dataset.naturalWidth) > line);
    });
  };
  const start = () => {
    const mj = window.MathJax;
    if (!mj || !mj.startup || !mj.startup.promise) return;
    mj.startup.promise.then(() => {
      mark();
      window.addEventListener("resize", mark);
    });
  };
  if (document.readyState === "complete") start();
  else window.addEventListener("load", start);
})();
