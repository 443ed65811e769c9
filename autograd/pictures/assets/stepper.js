// The backprop stepper (autograd.pictures.stepper): steps through the backward pass of a graph
// drawn once by Graphviz. Each step (from the JSON above, made by autograd.pictures.film) names
// the node handing its gradient on, the parents receiving it, the chain-rule arithmetic,
// and every gradient known after it. Nothing is laid out here: we only change classes
// and the text of "grad" cells, so no node ever moves.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("steps").textContent);
  const svg = document.querySelector("#graph svg");

  // Graphviz writes each node and edge as <g class="node|edge"><title>NAME</title>...</g>.
  const groups = {};
  for (const g of svg.querySelectorAll("g.node, g.edge")) {
    const title = g.querySelector("title");
    if (title) groups[title.textContent] = g;
  }
  // The text element of node i's grad cell ("grad 0.1234"), if it shows one.
  const gradText = {};
  for (let i = 0; i < data.nodes; i++) {
    const g = groups["n" + i];
    if (!g) continue;
    for (const t of g.querySelectorAll("text")) {
      if (t.textContent.startsWith("grad")) gradText[i] = t;
    }
  }

  const prev = document.getElementById("prev");
  const next = document.getElementById("next");
  const play = document.getElementById("play");
  const slider = document.getElementById("slider");
  const counter = document.getElementById("counter");
  const headline = document.getElementById("headline");
  const lines = document.getElementById("lines");
  slider.max = data.steps.length - 1;

  let current = 0;
  let timer = null;

  function show(k) {
    current = Math.max(0, Math.min(data.steps.length - 1, k));
    const step = data.steps[current];
    for (const g of Object.values(groups)) g.classList.remove("active", "receiving", "flow", "pending");
    for (let i = 0; i < data.nodes; i++) {
      const known = Object.prototype.hasOwnProperty.call(step.grads, i);
      if (gradText[i]) gradText[i].textContent = known ? step.grads[i] : "grad ?";
      if (!known && groups["n" + i] && data.constants.indexOf(i) < 0) {
        groups["n" + i].classList.add("pending");
      }
    }
    // An arrow into an op has carried gradient once that op's node has had its step;
    // the arrow out of an op, once its node has a gradient. Until then it is faded.
    const done = new Set(data.steps.slice(1, current + 1).map((s) => "n" + s.node));
    for (const [name, g] of Object.entries(groups)) {
      const edge = name.match(/^(n\d+)(op)?->(n\d+)(op)?$/);
      if (!edge) continue;
      const into = edge[4] ? edge[3] : null;  // "nA->nBop": the op of node nB
      const known = into ? done.has(into)
        : Object.prototype.hasOwnProperty.call(step.grads, edge[3].slice(1));
      if (!known) g.classList.add("pending");
    }
    const me = "n" + step.node;
    for (const name of [me, me + "op"]) if (groups[name]) groups[name].classList.add("active");
    for (const p of step.parents) {
      if (groups["n" + p]) groups["n" + p].classList.add("receiving");
      const edge = groups["n" + p + "->" + me + "op"];
      if (edge) edge.classList.add("flow");
    }
    if (step.parents.length && groups[me + "op->" + me]) groups[me + "op->" + me].classList.add("flow");
    headline.textContent = step.caption;
    lines.replaceChildren(...step.lines.map((text) => {
      const li = document.createElement("li");
      li.textContent = text;
      return li;
    }));
    slider.value = String(current);
    counter.textContent = "step " + current + " / " + (data.steps.length - 1);
    prev.disabled = current === 0;
    next.disabled = current === data.steps.length - 1;
    reveal(groups[me]);
  }

  // The node where the pass is may be out of view (a tall graph, the tour's frame):
  // scroll this page (never the one around a frame) to show it under the bar.
  function reveal(node) {
    if (!node) return;
    const box = node.getBoundingClientRect();
    const top = document.querySelector(".bar").getBoundingClientRect().bottom;
    if (box.top < top || box.bottom > window.innerHeight) {
      window.scrollBy(0, box.top - (top + window.innerHeight - box.height) / 2);
    }
  }

  function pause() {
    if (timer !== null) clearInterval(timer);
    timer = null;
    play.textContent = "▶ play";
  }

  function start() {
    if (current === data.steps.length - 1) show(0);
    play.textContent = "❚❚ pause";
    timer = setInterval(() => {
      if (current >= data.steps.length - 1) pause();
      else show(current + 1);
    }, 1000 / data.fps);
  }

  prev.addEventListener("click", () => { pause(); show(current - 1); });
  next.addEventListener("click", () => { pause(); show(current + 1); });
  play.addEventListener("click", () => (timer === null ? start() : pause()));
  slider.addEventListener("input", () => { pause(); show(Number(slider.value)); });
  document.addEventListener("keydown", (e) => {
    if (e.key === "ArrowRight") { pause(); show(current + 1); }
    else if (e.key === "ArrowLeft") { pause(); show(current - 1); }
    else if (e.key === " ") { e.preventDefault(); timer === null ? start() : pause(); }
  });

  // A small API for tests and for the curious: stepper.go(3), stepper.state().
  window.stepper = {
    count: data.steps.length,
    go: (k) => show(k),
    next: () => show(current + 1),
    previous: () => show(current - 1),
    play: start,
    pause: pause,
    index: () => current,
    state: () => {
      const grads = {};
      for (const [i, t] of Object.entries(gradText)) grads["n" + i] = t.textContent;
      return {
        index: current,
        caption: headline.textContent,
        lines: [...lines.children].map((li) => li.textContent),
        active: [...svg.querySelectorAll("g.active > title")].map((t) => t.textContent),
        grads: grads,
      };
    },
  };
  show(0);
})();
