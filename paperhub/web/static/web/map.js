// The topic map: papers as dots on a canvas, zoom and pan, titles on hover, a click opens the paper.
// Points come from the map_points route (see paperhub/topicmap/store.py: TopicMap.pack), at the addresses the page
// gives in its data (data.urls); no library, no build step.
(() => {
  "use strict";
  const data = JSON.parse(document.getElementById("map-data").textContent);
  const canvas = document.getElementById("topic-map");
  const tip = document.getElementById("map-tip");
  const ctx = canvas.getContext("2d");
  const MAX_SCALE = 400;
  const DETAIL_FROM = 2.5; // zoom from which the points of the view itself are fetched
  const FOCUS_SCALE = 8; // the zoom a paper's own map opens at
  const view = { x: 0.5, y: 0.5, scale: 1 };
  // what the whole view (scale 1) shows: the papers' bounding box with a margin, not the unit square, whose layout
  // keeps its aspect, so a wide map on a tall phone or a flat one on a wide screen would leave much of the frame empty
  const home = { x0: 0, y0: 0, x1: 1, y1: 1 };
  let overview = null;
  let detail = null;
  let hovered = null;
  let grid = new Map();
  const titles = new Map();

  function parse(buffer) {
    const n = new DataView(buffer).getUint32(0, true);
    return {
      n,
      x: new Float32Array(buffer, 4, n),
      y: new Float32Array(buffer, 4 + 4 * n, n),
      id: new Uint32Array(buffer, 4 + 8 * n, n),
      c: new Uint16Array(buffer, 4 + 12 * n, n),
    };
  }

  async function load(query) {
    const response = await fetch(data.urls.points + query);
    return parse(await response.arrayBuffer());
  }

  function colours() {
    const style = getComputedStyle(document.documentElement);
    const palette = [];
    for (let i = 0; i < 8; i++) palette.push(style.getPropertyValue("--c" + i).trim() || "#888");
    return {
      palette,
      fg: style.getPropertyValue("--fg").trim(),
      bg: style.getPropertyValue("--card").trim(),
      accent: style.getPropertyValue("--accent").trim(),
      mine: style.getPropertyValue("--c2").trim(),
      similar: style.getPropertyValue("--c3").trim(),
    };
  }

  function fit() {
    return Math.min(canvas.width / (home.x1 - home.x0), canvas.height / (home.y1 - home.y0));
  }

  function frame(points) {
    let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
    for (let i = 0; i < points.n; i++) {
      x0 = Math.min(x0, points.x[i]);
      x1 = Math.max(x1, points.x[i]);
      y0 = Math.min(y0, points.y[i]);
      y1 = Math.max(y1, points.y[i]);
    }
    if (!(x1 >= x0 && y1 >= y0)) return;  // no points: the unit square
    const margin = 0.04 * Math.max(x1 - x0, y1 - y0, 0.05);
    Object.assign(home, { x0: x0 - margin, y0: y0 - margin, x1: x1 + margin, y1: y1 + margin });
  }

  function centre() {
    Object.assign(view, { x: (home.x0 + home.x1) / 2, y: (home.y0 + home.y1) / 2 });
  }

  function toScreen(mx, my) {
    const f = fit() * view.scale;
    return [canvas.width / 2 + (mx - view.x) * f, canvas.height / 2 + (my - view.y) * f];
  }

  function toMap(sx, sy) {
    const f = fit() * view.scale;
    return [view.x + (sx - canvas.width / 2) / f, view.y + (sy - canvas.height / 2) / f];
  }

  function resize() {
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(canvas.clientWidth * ratio);
    canvas.height = Math.round(canvas.clientHeight * ratio);
    draw();
  }

  function drawPoints(points, colour, size) {
    const cellSize = 8 * (window.devicePixelRatio || 1);
    for (let i = 0; i < points.n; i++) {
      const [sx, sy] = toScreen(points.x[i], points.y[i]);
      if (sx < -2 || sy < -2 || sx > canvas.width + 2 || sy > canvas.height + 2) continue;
      ctx.fillStyle = colour.palette[points.c[i] % 8];
      ctx.fillRect(sx - size / 2, sy - size / 2, size, size);
      const key = Math.floor(sx / cellSize) + "," + Math.floor(sy / cellSize);
      let cell = grid.get(key);
      if (!cell) grid.set(key, (cell = []));
      cell.push([sx, sy, points.id[i]]);
    }
  }

  function drawMarks(marks, colour, radius) {
    ctx.strokeStyle = colour;
    ctx.lineWidth = 2.5 * (window.devicePixelRatio || 1);
    for (const [, mx, my] of marks) {
      const [sx, sy] = toScreen(mx, my);
      ctx.beginPath();
      ctx.arc(sx, sy, radius, 0, 2 * Math.PI);
      ctx.stroke();
    }
  }

  const overlaps = (a, b) => a[0] < b[0] + b[2] && b[0] < a[0] + a[2] && a[1] < b[1] + b[3] && b[1] < a[1] + a[3];
  let labelBoxes = [];
  let ringBoxes = [];
  let moved = 0;

  // the zoom buttons lie over the drawing's top corner: their box (canvas pixels, with a margin), kept clear of labels
  const controls = document.querySelector(".map-controls");
  function controlsBox() {
    const c = canvas.getBoundingClientRect();
    const b = controls.getBoundingClientRect();
    const ratio = c.width ? canvas.width / c.width : 1;
    const pad = 4 * ratio;
    return [(b.left - c.left) * ratio - pad, (b.top - c.top) * ratio - pad, b.width * ratio + 2 * pad,
      b.height * ratio + 2 * pad];
  }

  function drawLabels(colour) {
    const ratio = window.devicePixelRatio || 1;
    const fine = view.scale >= 3;
    // the ringed paper (the map opened from its page) stays in sight: a label that would cover it moves below it
    // (above it at the bottom edge), and no other label takes its place; one under the zoom buttons moves below them
    ringBoxes = data.paper.map(([, mx, my]) => {
      const [sx, sy] = toScreen(mx, my);
      const r = 12 * ratio;
      return [sx - r, sy - r, 2 * r, 2 * r];
    });
    const clear = [...ringBoxes, controlsBox()];
    const taken = [...clear];
    labelBoxes = [];
    moved = 0;
    for (const cluster of data.clusters) {
      if (cluster.level === "fine" && !fine) continue;
      if (cluster.level === "top" && fine && view.scale >= 8) continue;
      const [sx, sy] = toScreen(cluster.x, cluster.y);
      if (sx < 0 || sy < 0 || sx > canvas.width || sy > canvas.height) continue;
      ctx.font = `${cluster.level === "top" ? 600 : 500} ${(cluster.level === "top" ? 13 : 12) * ratio}px system-ui, sans-serif`;
      // as many of its terms as the picture's width holds (a phone's may not hold three)
      let terms = cluster.terms.slice(0, cluster.level === "top" ? 3 : 2);
      let text = terms.join(" · ");
      while (terms.length > 1 && ctx.measureText(text).width > canvas.width - 8 * ratio) {
        terms = terms.slice(0, -1);
        text = terms.join(" · ");
      }
      const width = ctx.measureText(text).width;
      // centred on its cluster, but moved in from an edge so that the picture shows it whole
      const left = Math.max(4 * ratio, Math.min(sx - width / 2, canvas.width - width - 4 * ratio));
      let y = Math.max(12 * ratio, Math.min(sy, canvas.height - 8 * ratio));
      let box = [left - 4, y - 11 * ratio, width + 8, 21 * ratio];
      const ring = clear.find((b) => overlaps(b, box));
      if (ring) {
        moved += 1;
        const below = ring[1] + ring[3] + 12 * ratio; // the box (11 above the text's line, 10 below) clear of it
        y = below + 10 * ratio <= canvas.height ? below : ring[1] - 11 * ratio;
        box = [left - 4, y - 11 * ratio, width + 8, 21 * ratio];
      }
      if (taken.some((b) => overlaps(b, box))) continue;
      taken.push(box);
      labelBoxes.push(box);
      ctx.lineWidth = 4 * ratio;
      ctx.strokeStyle = colour.bg;
      ctx.strokeText(text, left, y + 4 * ratio);
      ctx.fillStyle = colour.fg;
      ctx.fillText(text, left, y + 4 * ratio);
    }
  }

  function draw() {
    if (!overview) return;
    const colour = colours();
    const ratio = window.devicePixelRatio || 1;
    ctx.fillStyle = colour.bg;
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    grid = new Map();
    const size = Math.max(1.5, Math.min(6, 1.2 * Math.sqrt(view.scale))) * ratio;
    const points = detail && view.scale >= DETAIL_FROM ? detail : overview;
    ctx.globalAlpha = 0.75;
    drawPoints(points, colour, size);
    ctx.globalAlpha = 1;
    drawMarks(data.mine, colour.mine, 5 * ratio);
    drawMarks(data.search, colour.accent, 5 * ratio);
    drawMarks(data.similar, colour.similar, 5 * ratio);
    drawMarks(data.paper, colour.fg, 9 * ratio);
    drawLabels(colour);
    if (hovered) {
      ctx.strokeStyle = colour.fg;
      ctx.lineWidth = 2 * ratio;
      ctx.beginPath();
      ctx.arc(hovered[0], hovered[1], 6 * ratio, 0, 2 * Math.PI);
      ctx.stroke();
    }
    canvas.dataset.points = String(points.n);
    canvas.dataset.scale = view.scale.toFixed(2);
  }

  let pending = null;
  function changed() {
    hovered = null;
    tip.hidden = true;
    draw();
    clearTimeout(pending);
    if (view.scale < DETAIL_FROM) return;
    pending = setTimeout(async () => {
      const [x0, y0] = toMap(0, 0);
      const [x1, y1] = toMap(canvas.width, canvas.height);
      const pad = (x1 - x0) * 0.1;
      const query = `?x0=${x0 - pad}&y0=${y0 - pad}&x1=${x1 + pad}&y1=${y1 + pad}`;
      detail = await load(query);
      draw();
    }, 200);
  }

  function zoomAt(factor, sx, sy) {
    const [mx, my] = toMap(sx, sy);
    view.scale = Math.min(MAX_SCALE, Math.max(1, view.scale * factor));
    const f = fit() * view.scale;
    view.x = mx - (sx - canvas.width / 2) / f;
    view.y = my - (sy - canvas.height / 2) / f;
    if (view.scale === 1) centre();
    changed();
  }

  function nearest(sx, sy) {
    const cellSize = 8 * (window.devicePixelRatio || 1);
    const cx = Math.floor(sx / cellSize);
    const cy = Math.floor(sy / cellSize);
    let best = null;
    let bestDistance = (7 * (window.devicePixelRatio || 1)) ** 2;
    for (let dx = -1; dx <= 1; dx++) {
      for (let dy = -1; dy <= 1; dy++) {
        for (const point of grid.get(cx + dx + "," + (cy + dy)) || []) {
          const d = (point[0] - sx) ** 2 + (point[1] - sy) ** 2;
          if (d < bestDistance) [best, bestDistance] = [point, d];
        }
      }
    }
    return best;
  }

  async function paper(id) {
    if (!titles.has(id)) titles.set(id, fetch(data.urls.paper + id).then((r) => r.json()));
    return titles.get(id);
  }

  function pointer(event) {
    const rect = canvas.getBoundingClientRect();
    const ratio = canvas.width / rect.width;
    return [(event.clientX - rect.left) * ratio, (event.clientY - rect.top) * ratio, event.clientX - rect.left, event.clientY - rect.top];
  }

  let drag = null;
  canvas.addEventListener("pointerdown", (event) => {
    const [sx, sy] = pointer(event);
    drag = { sx, sy, x: view.x, y: view.y, moved: false };
    canvas.setPointerCapture(event.pointerId);
  });
  canvas.addEventListener("pointermove", async (event) => {
    const [sx, sy, cssX, cssY] = pointer(event);
    if (drag) {
      const f = fit() * view.scale;
      if (Math.abs(sx - drag.sx) + Math.abs(sy - drag.sy) > 4) drag.moved = true;
      if (drag.moved) {
        view.x = drag.x - (sx - drag.sx) / f;
        view.y = drag.y - (sy - drag.sy) / f;
        changed();
        return;
      }
    }
    const found = nearest(sx, sy);
    if (!found) {
      if (hovered) [hovered, tip.hidden] = [null, true];
      draw();
      return;
    }
    hovered = found;
    draw();
    const info = await paper(found[2]);
    if (hovered !== found) return;
    tip.textContent = info.title + (info.year ? ` (${info.year})` : "");
    tip.style.left = Math.min(cssX + 14, canvas.clientWidth - 260) + "px";
    tip.style.top = cssY + 14 + "px";
    tip.hidden = false;
  });
  canvas.addEventListener("pointerup", async (event) => {
    const wasDrag = drag && drag.moved;
    drag = null;
    if (wasDrag) return;
    const [sx, sy] = pointer(event);
    const found = nearest(sx, sy);
    if (found) window.location.href = (await paper(found[2])).url;
  });
  canvas.addEventListener("pointerleave", () => {
    hovered = null;
    tip.hidden = true;
    draw();
  });
  canvas.addEventListener("wheel", (event) => {
    event.preventDefault();
    const [sx, sy] = pointer(event);
    zoomAt(Math.exp(-event.deltaY * 0.0015), sx, sy);
  }, { passive: false });
  canvas.addEventListener("keydown", (event) => {
    const step = 0.15 / view.scale;
    const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    if (moves[event.key]) {
      view.x += moves[event.key][0];
      view.y += moves[event.key][1];
      changed();
    } else if (event.key === "+" || event.key === "=") zoomAt(1.5, canvas.width / 2, canvas.height / 2);
    else if (event.key === "-") zoomAt(1 / 1.5, canvas.width / 2, canvas.height / 2);
    else if (event.key === "0") zoomAt(0, canvas.width / 2, canvas.height / 2);
    else return;
    event.preventDefault();
  });
  for (const button of document.querySelectorAll("[data-zoom]")) {
    button.addEventListener("click", () => {
      const factor = { in: 1.6, out: 1 / 1.6, reset: 0 }[button.dataset.zoom];
      zoomAt(factor, canvas.width / 2, canvas.height / 2);
    });
  }
  window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", draw);
  window.addEventListener("resize", resize);

  // For tests and the curious: where a paper is drawn, in CSS pixels of the canvas.
  window.paperhubMap = {
    view,
    screenOf(mx, my) {
      const [sx, sy] = toScreen(mx, my);
      const ratio = canvas.width / canvas.getBoundingClientRect().width;
      return [sx / ratio, sy / ratio];
    },
    // the boxes (left, top, width, height in canvas pixels) of the labels drawn last, of the ringed paper and of the
    // zoom buttons, and how many labels moved off a ring or the buttons
    labels: () => ({ labels: labelBoxes, rings: ringBoxes, controls: controlsBox(), moved }),
    // CSS pixels of the canvas per map unit at the current zoom, and the map's box the whole view shows
    pixelsPerUnit: () => (fit() * view.scale) / (canvas.width / canvas.getBoundingClientRect().width),
    home,
  };

  load("").then((points) => {
    overview = points;
    frame(points);
    centre();
    if (data.paper.length) {
      // opened from a paper's page: start close in on the paper, among its neighbours
      Object.assign(view, { x: data.paper[0][1], y: data.paper[0][2], scale: FOCUS_SCALE });
    }
    resize();
    if (data.paper.length) changed();
    canvas.dataset.ready = "1";
  });
})();
