// The valuegrad explorer: a trained network, forward and backward, on your own drawing.
//
// Plain JavaScript, no libraries, meant to be read. nn.write_explorer() put the model
// into the <script id="explorer-data"> element above as JSON; this script
//
//   1. decodes the weights (exactly: float32 weights stay the same numbers),
//   2. runs the network itself, in float64: forward a_l = act(W_l a_{l-1} + b_l),
//      and backward (the chain rule, layer by layer, as nn's fused ops do it),
//   3. turns strokes drawn on the pad into a 28x28 MNIST-like image,
//   4. draws the series' picture of the network and the side panels,
//   5. exposes window.explorer (documented at the end) for tests and the curious.
"use strict";

(function () {
  const DATA = JSON.parse(document.getElementById("explorer-data").textContent);
  const SIDE = 28; // images are SIDE x SIDE pixels, row-major, as MNIST
  const NPIX = SIDE * SIDE;

  // ------------------------------------------------------------------ decoding

  // An embedded array {dtype, b64}: little-endian bytes, base64. Returns a typed array.
  function decode(arr) {
    const bin = atob(arr.b64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    const view = new DataView(bytes.buffer);
    if (arr.dtype === "uint8") return bytes;
    if (arr.dtype === "float32") {
      const out = new Float32Array(bytes.length / 4);
      for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, true);
      return out;
    }
    if (arr.dtype === "float64") {
      const out = new Float64Array(bytes.length / 8);
      for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(8 * i, true);
      return out;
    }
    throw new Error("explorer: unknown embedded dtype " + arr.dtype);
  }

  // ------------------------------------------------------------------ the model

  // Each layer: a = act(z), z = W a_prev + b; W is nout x nin, row k = weights into neuron k.
  const TRAINED = DATA.layers.map(function (L) {
    return {
      nin: L.nin,
      nout: L.nout,
      act: L.activation,
      W: Float64Array.from(decode(L.W)),
      b: Float64Array.from(decode(L.b)),
    };
  });
  let layers = copyLayers(TRAINED);
  const LOSS = DATA.loss; // "mse" or "cross_entropy"
  const NAMES = DATA.classNames;

  function copyLayers(src) {
    return src.map(function (L) {
      return { nin: L.nin, nout: L.nout, act: L.act, W: L.W.slice(), b: L.b.slice() };
    });
  }

  // Activations and their derivatives. The derivative is written in terms of the
  // output y = act(z) (sigmoid: y(1-y), tanh: 1-y^2), as the engine does.
  const ACT = {
    sigmoid: {
      f: function (z) {
        // Never overflows: exp of a non-positive number only.
        if (z >= 0) return 1 / (1 + Math.exp(-z));
        const e = Math.exp(z);
        return e / (1 + e);
      },
      df: function (y) { return y * (1 - y); },
    },
    relu: {
      f: function (z) { return z > 0 ? z : 0; },
      df: function (y) { return y > 0 ? 1 : 0; },
    },
    tanh: {
      f: Math.tanh,
      df: function (y) { return 1 - y * y; },
    },
    identity: {
      f: function (z) { return z; },
      df: function () { return 1; },
    },
  };

  // Forward pass for one example x (784 numbers). Returns
  //   a: [x, a_1, ..., a_L]  (activations, the input layer first)
  //   z: [z_1, ..., z_L]     (weighted sums before the activation)
  function forward(x) {
    const a = [x];
    const z = [];
    for (const L of layers) {
      const prev = a[a.length - 1];
      const zl = new Float64Array(L.nout);
      const al = new Float64Array(L.nout);
      const f = ACT[L.act].f;
      for (let k = 0; k < L.nout; k++) {
        let s = L.b[k];
        const row = k * L.nin;
        for (let i = 0; i < L.nin; i++) s += L.W[row + i] * prev[i];
        zl[k] = s;
        al[k] = f(s);
      }
      z.push(zl);
      a.push(al);
    }
    return { a: a, z: z };
  }

  // The loss of one example and its gradient with respect to the outputs, exactly as
  // nn.mse / nn.cross_entropy compute them for a batch of one:
  //   mse:           L = sum_j (out_j - y_j)^2, y one-hot;  dL/dout_j = 2 (out_j - y_j)
  //   cross_entropy: L = log sum_j e^{out_j} - out_label;  dL/dout_j = softmax(out)_j - [j = label]
  //                  (computed with the max subtracted, so nothing overflows)
  function lossAndGrad(out, label) {
    const g = new Float64Array(out.length);
    let loss = 0;
    if (LOSS === "mse") {
      for (let j = 0; j < out.length; j++) {
        const d = out[j] - (j === label ? 1 : 0);
        loss += d * d;
        g[j] = 2 * d;
      }
    } else {
      const p = softmax(out);
      let m = -Infinity;
      for (const v of out) m = Math.max(m, v);
      let s = 0;
      for (const v of out) s += Math.exp(v - m);
      loss = Math.log(s) - (out[label] - m);
      for (let j = 0; j < out.length; j++) g[j] = p[j] - (j === label ? 1 : 0);
    }
    return { loss: loss, g: g };
  }

  function softmax(v) {
    let m = -Infinity;
    for (const x of v) m = Math.max(m, x);
    const e = Array.from(v, function (x) { return Math.exp(x - m); });
    const s = e.reduce(function (p, q) { return p + q; }, 0);
    return e.map(function (x) { return x / s; });
  }

  // Backward pass (the chain rule) from a forward pass fw and the wanted label.
  // Returns loss, dA (dL/da for every layer, input first: dA[0] is dL/dpixel) and
  // dZ (dL/dz for layers 1..L). With wantWeights, also gW, gb (dL/dW, dL/db).
  //   delta_l  = dL/dz_l = dL/da_l * act'(z_l)
  //   dL/dW_l  = delta_l a_{l-1}^T,   dL/db_l = delta_l,   dL/da_{l-1} = W_l^T delta_l
  function backward(fw, label, wantWeights) {
    const nL = layers.length;
    const out = fw.a[nL];
    const lg = lossAndGrad(out, label);
    const dA = new Array(nL + 1);
    const dZ = new Array(nL);
    const gW = wantWeights ? new Array(nL) : null;
    const gb = wantWeights ? new Array(nL) : null;
    dA[nL] = lg.g;
    for (let l = nL - 1; l >= 0; l--) {
      const L = layers[l];
      const a = fw.a[l + 1];
      const prev = fw.a[l];
      const df = ACT[L.act].df;
      const delta = new Float64Array(L.nout);
      for (let k = 0; k < L.nout; k++) delta[k] = dA[l + 1][k] * df(a[k]);
      dZ[l] = delta;
      const dPrev = new Float64Array(L.nin);
      for (let k = 0; k < L.nout; k++) {
        const d = delta[k];
        if (d === 0) continue;
        const row = k * L.nin;
        for (let i = 0; i < L.nin; i++) dPrev[i] += L.W[row + i] * d;
      }
      dA[l] = dPrev;
      if (wantWeights) {
        const g = new Float64Array(L.nout * L.nin);
        for (let k = 0; k < L.nout; k++) {
          const row = k * L.nin;
          for (let i = 0; i < L.nin; i++) g[row + i] = delta[k] * prev[i];
        }
        gW[l] = g;
        gb[l] = delta.slice();
      }
    }
    return { loss: lg.loss, dA: dA, dZ: dZ, gW: gW, gb: gb };
  }

  // One plain SGD step on this example: w -= lr * dL/dw (no momentum, no weight decay).
  function sgdStep(x, label, lr) {
    const grads = backward(forward(x), label, true);
    layers.forEach(function (L, l) {
      for (let i = 0; i < L.W.length; i++) L.W[i] -= lr * grads.gW[l][i];
      for (let k = 0; k < L.nout; k++) L.b[k] -= lr * grads.gb[l][k];
    });
    return grads.loss;
  }

  // ------------------------------------------------------------------ drawing -> 28x28

  // Strokes are lists of [x, y] points on the pad. They are turned into an image the
  // way MNIST's digits were made (LeCun et al.): scaled, keeping the aspect ratio, so
  // the digit fits a 20x20 box; anti-aliased; then shifted so that the centre of mass
  // of its ink is at the centre of the 28x28 field. We draw the scaled strokes with a
  // fixed pen width (so a small drawing gets no fatter lines than a big one) on a
  // canvas 10x finer than the result, then average each 10x10 block into one pixel.
  const BOX = 20; // the digit's longer side, pen width included, in pixels
  const PEN = 2.2; // pen width in 28x28 pixels (MNIST strokes are about 2-3 wide)
  const FINE = 10; // supersampling factor for anti-aliasing
  const CENTRE = 14.0; // MNIST's mean centre of mass, in pixel indices (row, column)
  const fine = document.createElement("canvas");
  fine.width = fine.height = SIDE * FINE;
  const fineCtx = fine.getContext("2d", { willReadFrequently: true });

  // Draw the strokes on the fine canvas (28x28 pixel units, the box centred) and return
  // its ink, one number in [0, 1] per fine pixel.
  function rasterize(strokes, scale, x0, y0, ox, oy) {
    fineCtx.setTransform(1, 0, 0, 1, 0, 0);
    fineCtx.fillStyle = "#000";
    fineCtx.fillRect(0, 0, fine.width, fine.height);
    fineCtx.setTransform(FINE, 0, 0, FINE, 0, 0); // draw in 28x28 pixel units
    fineCtx.strokeStyle = fineCtx.fillStyle = "#fff";
    fineCtx.lineWidth = PEN;
    fineCtx.lineCap = fineCtx.lineJoin = "round";
    const px = function (p) { return [(p[0] - x0) * scale + ox, (p[1] - y0) * scale + oy]; };
    for (const s of strokes) {
      fineCtx.beginPath();
      if (s.length === 1) {
        const q = px(s[0]);
        fineCtx.arc(q[0], q[1], PEN / 2, 0, 2 * Math.PI);
        fineCtx.fill();
        continue;
      }
      s.forEach(function (p, i) {
        const q = px(p);
        if (i === 0) fineCtx.moveTo(q[0], q[1]);
        else fineCtx.lineTo(q[0], q[1]);
      });
      fineCtx.stroke();
    }
    // Read back only the box and a pixel around it (all the ink there is): less to copy.
    const rgba = fineCtx.getImageData(INK0, INK0, INK_W, INK_W).data;
    const ink = new Float32Array(INK_W * INK_W);
    for (let i = 0; i < ink.length; i++) ink[i] = rgba[4 * i] / 255;
    return ink;
  }
  const INK0 = ((SIDE - BOX) / 2 - 1) * FINE; // the ink lies in [INK0, INK0 + INK_W) fine pixels
  const INK_W = (BOX + 2) * FINE;

  function strokesToPixels(strokes) {
    const img = new Float64Array(NPIX);
    const pts = [].concat.apply([], strokes);
    if (pts.length === 0) return img;
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const p of pts) {
      x0 = Math.min(x0, p[0]); x1 = Math.max(x1, p[0]);
      y0 = Math.min(y0, p[1]); y1 = Math.max(y1, p[1]);
    }
    const extent = Math.max(x1 - x0, y1 - y0);
    const scale = extent > 0 ? (BOX - PEN) / extent : 1;
    // The box (pen width included) centred in the field: its ink lies in the read-back square.
    const ox = (SIDE - (x1 - x0) * scale) / 2, oy = (SIDE - (y1 - y0) * scale) / 2;
    const ink = rasterize(strokes, scale, x0, y0, ox, oy);
    // Centre of mass of the ink, in fine pixels; then shift the ink (by whole fine
    // pixels, a tenth of a pixel) so that it lands on CENTRE, while averaging each
    // FINE x FINE block into one pixel (anti-aliasing). Pixel i covers [i, i + 1),
    // so index CENTRE is the fine coordinate (CENTRE + 0.5) * FINE.
    const W = INK_W;
    let m = 0, mx = 0, my = 0;
    for (let y = 0; y < W; y++) {
      for (let x = 0; x < W; x++) {
        const v = ink[y * W + x];
        m += v; mx += v * (x + 0.5); my += v * (y + 0.5);
      }
    }
    if (m === 0) return img;
    const dx = INK0 + Math.round((CENTRE + 0.5) * FINE - INK0 - mx / m);
    const dy = INK0 + Math.round((CENTRE + 0.5) * FINE - INK0 - my / m);
    const FW = SIDE * FINE;
    for (let y = 0; y < W; y++) {
      const ty = y + dy;
      if (ty < 0 || ty >= FW) continue;
      const row = Math.floor(ty / FINE) * SIDE;
      for (let x = 0; x < W; x++) {
        const tx = x + dx;
        if (tx < 0 || tx >= FW) continue;
        img[row + Math.floor(tx / FINE)] += ink[y * W + x];
      }
    }
    for (let i = 0; i < NPIX; i++) img[i] /= FINE * FINE;
    return img;
  }

  // ------------------------------------------------------------------ state

  const state = {
    pixels: new Float64Array(NPIX),
    source: "nothing drawn yet",
    fw: null, // forward pass of the current pixels
    want: null, // the label chosen in panel 4, or null
    grads: null, // backward pass for state.want
    neuron: 0, // the first-layer neuron shown in panel 3 (hover or tap another)
    nudges: false, // show the nudges on the network picture
    steps: 0,
    before: null, // outputs before the last training step
    lossSteps: null, // [loss before, loss after] of the last step
    chart: null, // what panel 5 shows: {before, after} (null for a blank pad)
  };
  let images = null;
  if (DATA.images) {
    images = { count: DATA.images.count, pixels: decode(DATA.images.pixels), labels: DATA.images.labels };
  }

  function testImage(i) {
    const raw = images.pixels.subarray(i * NPIX, (i + 1) * NPIX);
    const scale = raw instanceof Uint8Array ? 1 / 255 : 1;
    return Float64Array.from(raw, function (v) { return v * scale; });
  }

  function update() {
    state.fw = forward(state.pixels);
    state.grads = state.want === null ? null : backward(state.fw, state.want, false);
    render();
  }

  // ------------------------------------------------------------------ colours

  const POS = [88, 160, 255]; // blue: positive weights, "up" nudges
  const NEG = [255, 90, 80]; // red: negative
  function rgba(c, alpha) { return "rgba(" + c[0] + "," + c[1] + "," + c[2] + "," + alpha.toFixed(3) + ")"; }

  // How bright a neuron is drawn: its activation mapped to [0, 1].
  //   sigmoid: a itself; tanh: (a + 1) / 2; relu and identity: a / (largest a in the layer);
  //   the outputs of a cross-entropy model: softmax probabilities.
  function brightness(l) {
    const a = state.fw.a[l];
    if (l === 0) return a;
    const act = layers[l - 1].act;
    if (l === layers.length && LOSS === "cross_entropy") return softmax(a);
    if (act === "sigmoid") return a;
    if (act === "tanh") return Array.from(a, function (v) { return (v + 1) / 2; });
    let m = 1e-12;
    for (const v of a) m = Math.max(m, v);
    return Array.from(a, function (v) { return Math.max(0, v) / m; });
  }

  // A signed image (784 numbers) as red/blue on white, scaled by its largest |value|.
  function signedImage(ctx, v) {
    let m = 1e-12;
    for (const x of v) m = Math.max(m, Math.abs(x));
    const img = ctx.createImageData(SIDE, SIDE);
    for (let i = 0; i < NPIX; i++) {
      const t = Math.min(1, Math.abs(v[i]) / m);
      const c = v[i] >= 0 ? [33, 102, 172] : [178, 24, 43];
      for (let ch = 0; ch < 3; ch++) img.data[4 * i + ch] = Math.round(255 + (c[ch] - 255) * t);
      img.data[4 * i + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }

  function grayImage(ctx, v) {
    const img = ctx.createImageData(SIDE, SIDE);
    for (let i = 0; i < NPIX; i++) {
      const g = Math.round(255 * Math.min(1, Math.max(0, v[i])));
      img.data[4 * i] = img.data[4 * i + 1] = img.data[4 * i + 2] = g;
      img.data[4 * i + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }

  // ------------------------------------------------------------------ the network picture

  const net = document.getElementById("net");
  const NW = 560, NH = 420; // drawing units; the canvas is scaled for sharp pixels
  const netCtx = setupCanvas(net, NW, NH);
  const inputCanvas = document.createElement("canvas");
  inputCanvas.width = inputCanvas.height = SIDE;
  const inputCtx = inputCanvas.getContext("2d");

  function setupCanvas(canvas, w, h) {
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
    const ctx = canvas.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    return ctx;
  }

  // Where everything goes: the input layer is drawn as the 28x28 image itself (784
  // neurons, one per pixel); each other layer as a column of circles (a grid of
  // columns when it has more than 32 neurons); the outputs get a bar chart.
  const CELL = 5; // size of an input pixel
  const OUT_FONT = "12px system-ui, sans-serif";
  netCtx.font = OUT_FONT;
  const LABEL_W = Math.min(80, Math.max.apply(null, NAMES.map(function (n) { return netCtx.measureText(n).width; }))) + 6;
  const IMG_X = 10, IMG_Y = (NH - SIDE * CELL) / 2;
  const layout = (function () {
    const pos = [];
    const input = [];
    for (let i = 0; i < NPIX; i++) {
      input.push([IMG_X + (i % SIDE + 0.5) * CELL, IMG_Y + (Math.floor(i / SIDE) + 0.5) * CELL]);
    }
    pos.push({ xy: input, r: CELL / 2 });
    // Each other layer: rows of at most 32 neurons, side by side in as many columns as
    // needed; columns are squeezed when the layers would not fit side by side.
    const left = IMG_X + SIDE * CELL + 40, right = NW - 115 - LABEL_W;
    const shapes = layers.map(function (L) {
      const cols = Math.ceil(L.nout / 32), rows = Math.ceil(L.nout / cols);
      const gap = Math.min(26, (NH - 30) / rows);
      return { n: L.nout, cols: cols, rows: rows, gap: gap, colGap: gap };
    });
    const width = function (sh) { return (sh.cols - 1) * sh.colGap; };
    const room = 0.6 * (right - left); // the rest is for the edges between the layers
    let used = shapes.reduce(function (t, sh) { return t + width(sh); }, 0);
    if (used > room) {
      for (const sh of shapes) sh.colGap *= room / used;
      used = room;
    }
    // Equal gaps between the layers; the output layer's column ends at `right`.
    const between = shapes.length > 1 ? (right - left - used) / (shapes.length - 1) : 0;
    let x = shapes.length > 1 ? left : right;
    for (const sh of shapes) {
      const xy = [];
      for (let k = 0; k < sh.n; k++) {
        const c = Math.floor(k / sh.rows), r = k % sh.rows;
        xy.push([x + c * sh.colGap, NH / 2 + (r - (sh.rows - 1) / 2) * sh.gap]);
      }
      pos.push({ xy: xy, r: Math.min(10, 0.4 * Math.min(sh.gap, sh.cols > 1 ? sh.colGap : sh.gap)) });
      x += width(sh) + between;
    }
    return pos;
  })();

  // Which edges to draw: every one when a layer has at most MAX_EDGES, else the
  // strongest weights into each neuron (the others would only be a grey fog).
  const MAX_EDGES = 1200;
  let edges = null;
  function chooseEdges() {
    edges = layers.map(function (L) {
      const per = Math.max(1, Math.min(L.nin, Math.floor(MAX_EDGES / L.nout)));
      const src = [], dst = [];
      let maxW = 1e-12;
      for (const w of L.W) maxW = Math.max(maxW, Math.abs(w));
      for (let k = 0; k < L.nout; k++) {
        let idx = Array.from({ length: L.nin }, function (_, i) { return i; });
        if (per < L.nin) {
          const row = k * L.nin;
          idx.sort(function (i, j) { return Math.abs(L.W[row + j]) - Math.abs(L.W[row + i]); });
          idx = idx.slice(0, per);
        }
        for (const i of idx) { src.push(i); dst.push(k); }
      }
      return { src: Int32Array.from(src), dst: Int32Array.from(dst), maxW: maxW };
    });
  }

  const LEVELS = 8; // edges are grouped into 2 signs x LEVELS opacities: 16 strokes a frame
  function drawEdges(ctx) {
    layers.forEach(function (L, l) {
      const E = edges[l];
      const from = layout[l].xy, to = layout[l + 1].xy;
      const bright = brightness(l);
      const paths = [];
      for (let b = 0; b < 2 * LEVELS; b++) paths.push(new Path2D());
      let scale = E.maxW;
      let value;
      if (state.nudges && state.grads) {
        // What neuron k wants of neuron i: -dL/dz_k * w_ki (its share of -dL/da_i).
        const dz = state.grads.dZ[l];
        value = function (e) { return -dz[E.dst[e]] * L.W[E.dst[e] * L.nin + E.src[e]]; };
        scale = 1e-12;
        for (let e = 0; e < E.src.length; e++) scale = Math.max(scale, Math.abs(value(e)));
      } else {
        // A weight, dimmed when the neuron it comes from is dark (no signal flows).
        value = function (e) { return L.W[E.dst[e] * L.nin + E.src[e]] * (0.15 + 0.85 * bright[E.src[e]]); };
      }
      for (let e = 0; e < E.src.length; e++) {
        const v = value(e);
        const level = Math.floor((Math.abs(v) / scale) * LEVELS);
        if (level === 0) continue;
        const p = paths[(v > 0 ? 0 : LEVELS) + Math.min(level, LEVELS) - 1];
        const a = from[E.src[e]], b = to[E.dst[e]];
        p.moveTo(a[0], a[1]);
        p.lineTo(b[0], b[1]);
      }
      ctx.lineWidth = 1;
      for (let b = 0; b < 2 * LEVELS; b++) {
        const level = (b % LEVELS) + 1;
        ctx.strokeStyle = rgba(b < LEVELS ? POS : NEG, 0.9 * (level / LEVELS) ** 1.5);
        ctx.stroke(paths[b]);
      }
    });
  }

  function drawNeurons(ctx) {
    for (let l = 1; l <= layers.length; l++) {
      const P = layout[l];
      const bright = brightness(l);
      // Group circles by grey level so each level is one fill.
      const groups = new Map();
      bright.forEach(function (v, k) {
        const g = Math.round(255 * Math.min(1, Math.max(0, v)));
        if (!groups.has(g)) groups.set(g, new Path2D());
        const p = groups.get(g);
        p.moveTo(P.xy[k][0] + P.r, P.xy[k][1]);
        p.arc(P.xy[k][0], P.xy[k][1], P.r, 0, 2 * Math.PI);
      });
      groups.forEach(function (p, g) {
        ctx.fillStyle = "rgb(" + g + "," + g + "," + g + ")";
        ctx.fill(p);
      });
      if (P.r >= 4) {
        const ring = new Path2D();
        P.xy.forEach(function (q) { ring.moveTo(q[0] + P.r, q[1]); ring.arc(q[0], q[1], P.r, 0, 2 * Math.PI); });
        ctx.strokeStyle = "#888";
        ctx.lineWidth = 1;
        ctx.stroke(ring);
      }
      if (state.nudges && state.grads) drawNudgeBars(ctx, l);
    }
    if (state.neuron !== null) {
      const q = layout[1].xy[state.neuron];
      ctx.strokeStyle = "#e8a400";
      ctx.lineWidth = 2.5;
      ctx.beginPath();
      ctx.arc(q[0], q[1], layout[1].r + 3, 0, 2 * Math.PI);
      ctx.stroke();
    }
  }

  // Beside each neuron, -dL/da: how the loss wants its activation to move (up = blue).
  function drawNudgeBars(ctx, l) {
    const P = layout[l];
    const d = state.grads.dA[l];
    let m = 1e-12;
    for (const v of d) m = Math.max(m, Math.abs(v));
    const len = Math.max(6, 2.2 * P.r);
    for (let k = 0; k < d.length; k++) {
      const v = -d[k] / m;
      const x = P.xy[k][0] - P.r - 4, y = P.xy[k][1];
      ctx.fillStyle = v > 0 ? rgba(POS, 1) : rgba(NEG, 1);
      ctx.fillRect(x - 2, v > 0 ? y - v * len : y, 3, Math.abs(v) * len);
    }
  }

  function drawOutputs(ctx) {
    const nL = layers.length;
    const P = layout[nL];
    const out = state.fw.a[nL];
    const shown = LOSS === "cross_entropy" ? softmax(out) : Array.from(out);
    const pred = argmax(out);
    const x0 = P.xy[0][0] + P.r + 8;
    ctx.font = OUT_FONT;
    ctx.textBaseline = "middle";
    for (let k = 0; k < out.length; k++) {
      const y = P.xy[k][1];
      ctx.fillStyle = k === pred ? "#e8a400" : "#ccc";
      ctx.fillText(NAMES[k], x0, y, LABEL_W - 4);
      const v = Math.min(1, Math.max(0, shown[k]));
      ctx.fillRect(x0 + LABEL_W, y - 5, v * 60, 10);
      ctx.fillStyle = "#999";
      ctx.fillText(shown[k].toFixed(2), x0 + LABEL_W + 64, y);
    }
    ctx.fillStyle = "#999";
    ctx.fillText(LOSS === "cross_entropy" ? "softmax" : "outputs", x0, P.xy[0][1] - 18);
  }

  function drawNetwork() {
    const ctx = netCtx;
    ctx.fillStyle = "#111";
    ctx.fillRect(0, 0, NW, NH);
    drawEdges(ctx);
    grayImage(inputCtx, state.pixels);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(inputCanvas, IMG_X, IMG_Y, SIDE * CELL, SIDE * CELL);
    ctx.strokeStyle = "#555";
    ctx.strokeRect(IMG_X - 0.5, IMG_Y - 0.5, SIDE * CELL + 1, SIDE * CELL + 1);
    drawNeurons(ctx);
    drawOutputs(ctx);
  }

  function argmax(v) {
    let best = 0;
    for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
    return best;
  }

  // ------------------------------------------------------------------ the panels

  const $ = function (id) { return document.getElementById(id); };
  const weightsCtx = $("neuron-weights").getContext("2d");
  const contribCtx = $("neuron-contrib").getContext("2d");
  const gradCtx = $("input-grad").getContext("2d");

  // Every panel shows the current input, or says there is none: a blank pad has no
  // prediction, no "what it wants" and no chart of outputs.
  function isBlank() { return state.pixels.every(function (v) { return v === 0; }); }

  function render() {
    drawNetwork();
    const out = state.fw.a[layers.length];
    $("prediction").textContent = isBlank()
      ? "Draw a digit (or pick a test digit) to see what it thinks."
      : "It thinks: " + NAMES[argmax(out)];
    $("source").textContent = state.source;
    renderNeuron();
    renderWants();
    renderBeforeAfter();
  }

  function renderNeuron() {
    const k = state.neuron;
    if (k === null) return;
    const L = layers[0];
    const w = L.W.subarray(k * L.nin, (k + 1) * L.nin);
    signedImage(weightsCtx, w);
    const contrib = Array.from(w, function (v, i) { return v * state.pixels[i]; });
    signedImage(contribCtx, contrib);
    const sum = contrib.reduce(function (s, v) { return s + v; }, 0);
    const a = state.fw.a[1][k];
    $("neuron-caption").textContent = "First hidden layer, neuron " + k + ":";
    $("neuron-sum").textContent =
      "z = sum(w*x) + b = " + sum.toFixed(3) + " + " + L.b[k].toFixed(3) + " = " +
      state.fw.z[0][k].toFixed(3) + ";  a = " + L.act + "(z) = " + a.toFixed(3);
  }

  function renderWants() {
    if (state.want === null || isBlank()) {
      $("loss").textContent = isBlank()
        ? "Draw a digit first, then choose its label."
        : "Choose a label to see what the network wants.";
      gradCtx.clearRect(0, 0, SIDE, SIDE);
      for (const el of document.querySelectorAll(".want-name")) el.textContent = "?";
      for (const b of document.querySelectorAll("#labels button")) b.classList.remove("chosen");
      return;
    }
    const g = state.grads;
    signedImage(gradCtx, Array.from(g.dA[0], function (v) { return -v; }));
    for (const el of document.querySelectorAll(".want-name")) el.textContent = NAMES[state.want];
    $("loss").textContent = (LOSS === "mse" ? "mse" : "cross-entropy") + " for \u201c" +
      NAMES[state.want] + "\u201d: L = " + g.loss.toFixed(4);
    for (const b of document.querySelectorAll("#labels button")) {
      b.classList.toggle("chosen", Number(b.dataset.label) === state.want);
    }
  }

  // Outputs before and after the last "train on this" (or the current ones).
  const baCtx = setupCanvas($("before-after"), 360, 130);
  function renderBeforeAfter() {
    const ctx = baCtx;
    ctx.clearRect(0, 0, 360, 130);
    state.chart = null;
    if (isBlank()) {
      $("steps").textContent = "Draw a digit (or pick one) to see its outputs here.";
      return;
    }
    const now = state.fw.a[layers.length];
    const tr = function (v) { return LOSS === "cross_entropy" ? softmax(v) : Array.from(v); };
    const after = tr(now);
    const before = state.before ? tr(state.before) : null;
    state.chart = { before: before, after: after };
    const bw = 360 / 10;
    ctx.font = "12px system-ui, sans-serif";
    ctx.textAlign = "center";
    for (let k = 0; k < 10; k++) {
      const x = k * bw;
      if (before) {
        ctx.fillStyle = "#bbb";
        ctx.fillRect(x + 4, 105 - 95 * clamp01(before[k]), bw / 2 - 5, 95 * clamp01(before[k]));
      }
      ctx.fillStyle = k === state.want ? "#e8a400" : "#4a7fb5";
      const x1 = before ? x + bw / 2 : x + 8;
      const w1 = before ? bw / 2 - 5 : bw - 16;
      ctx.fillRect(x1, 105 - 95 * clamp01(after[k]), w1, 95 * clamp01(after[k]));
      ctx.fillStyle = "#333";
      ctx.fillText(NAMES[k].slice(0, 5), x + bw / 2, 120);
    }
    const taken = state.steps + " step" + (state.steps > 1 ? "s" : "") + " taken";
    $("steps").textContent = state.steps === 0
      ? "No steps taken: these are the trained weights."
      : before === null
        ? taken + " (not on this input): the outputs for this input, with the weights as they are now."
        : taken + "; last one: L " + state.lossSteps[0].toFixed(4) + " \u2192 " +
          state.lossSteps[1].toFixed(4) + " (grey: before, colour: after).";
  }
  function clamp01(v) { return Math.min(1, Math.max(0, v)); }

  // ------------------------------------------------------------------ input: the pad

  const pad = $("draw");
  const padCtx = pad.getContext("2d");
  let strokes = [];
  let drawing = false;
  let pending = false;

  function padPoint(ev) {
    const r = pad.getBoundingClientRect();
    return [((ev.clientX - r.left) * pad.width) / r.width, ((ev.clientY - r.top) * pad.height) / r.height];
  }
  function clearPad() {
    padCtx.fillStyle = "#000";
    padCtx.fillRect(0, 0, pad.width, pad.height);
  }
  function scheduleDrawingUpdate() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () {
      pending = false;
      state.pixels = strokesToPixels(strokes);
      state.source = "your drawing";
      update();
    });
  }
  pad.addEventListener("pointerdown", function (ev) {
    ev.preventDefault();
    if (state.source !== "your drawing") { strokes = []; clearPad(); newInput(null); }
    // Keep receiving the stroke when the pen leaves the pad. (Events made by a script
    // have no active pointer to capture; they draw all the same.)
    try { pad.setPointerCapture(ev.pointerId); } catch (e) { /* not a real pointer */ }
    drawing = true;
    strokes.push([padPoint(ev)]);
    padCtx.fillStyle = "#fff";
    const p = padPoint(ev);
    padCtx.beginPath();
    padCtx.arc(p[0], p[1], 9, 0, 2 * Math.PI);
    padCtx.fill();
    scheduleDrawingUpdate();
  });
  pad.addEventListener("pointermove", function (ev) {
    if (!drawing) return;
    const s = strokes[strokes.length - 1];
    const p = padPoint(ev), q = s[s.length - 1];
    s.push(p);
    padCtx.strokeStyle = "#fff";
    padCtx.lineWidth = 18;
    padCtx.lineCap = "round";
    padCtx.beginPath();
    padCtx.moveTo(q[0], q[1]);
    padCtx.lineTo(p[0], p[1]);
    padCtx.stroke();
    scheduleDrawingUpdate();
  });
  const endStroke = function () { drawing = false; };
  pad.addEventListener("pointerup", endStroke);
  pad.addEventListener("pointercancel", endStroke);
  $("clear").addEventListener("click", function () {
    strokes = [];
    clearPad();
    newInput(null);
    setInput(new Float64Array(NPIX), "nothing drawn yet");
  });

  function setInput(pixels, source) {
    state.pixels = pixels;
    state.source = source;
    update();
  }
  // A new input (not one more stroke of the same drawing): the chosen label and the
  // chart of the last training step were about the old one.
  function newInput(want) {
    state.want = want;
    state.before = null;
    state.lossSteps = null;
  }

  function pickImage(i) {
    strokes = [];
    grayImage(inputCtx, testImage(i));
    padCtx.imageSmoothingEnabled = false;
    padCtx.drawImage(inputCanvas, 0, 0, pad.width, pad.height);
    for (const c of document.querySelectorAll("#picker canvas")) c.classList.toggle("chosen", Number(c.dataset.index) === i);
    newInput(images.labels[i]);
    setInput(testImage(i), "test digit #" + i + ", labelled \u201c" + NAMES[images.labels[i]] + "\u201d");
  }

  if (images && images.count > 0) {
    const picker = $("picker");
    for (let i = 0; i < images.count; i++) {
      const c = document.createElement("canvas");
      c.width = c.height = SIDE;
      c.dataset.index = String(i);
      c.title = "test digit #" + i + " (" + NAMES[images.labels[i]] + ")";
      grayImage(c.getContext("2d"), testImage(i));
      c.addEventListener("click", function () { pickImage(i); });
      picker.appendChild(c);
    }
  } else {
    $("picker-box").hidden = true;
  }

  // ------------------------------------------------------------------ the other controls

  function nearestFirstLayerNeuron(ev) {
    const r = net.getBoundingClientRect();
    const x = ((ev.clientX - r.left) * NW) / r.width, y = ((ev.clientY - r.top) * NH) / r.height;
    const P = layout[1];
    let best = null, bestD = (P.r + 4) ** 2;
    P.xy.forEach(function (q, k) {
      const d = (q[0] - x) ** 2 + (q[1] - y) ** 2;
      if (d <= bestD) { best = k; bestD = d; }
    });
    return best;
  }
  function pointAtNeuron(ev) {
    const k = nearestFirstLayerNeuron(ev);
    if (k !== null && k !== state.neuron) { state.neuron = k; render(); }
  }
  net.addEventListener("pointermove", pointAtNeuron);
  net.addEventListener("pointerdown", pointAtNeuron); // a tap on a touch screen

  NAMES.forEach(function (name, k) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = name;
    b.dataset.label = String(k);
    b.addEventListener("click", function () { setWant(k); });
    $("labels").appendChild(b);
  });
  function setWant(label) {
    state.want = checkLabel(label);
    update();
  }
  $("show-nudges").addEventListener("change", function (ev) {
    state.nudges = ev.target.checked;
    render();
  });

  $("lr").value = LOSS === "mse" ? "1" : "0.1";
  $("train").addEventListener("click", function () {
    if (isBlank()) { $("steps").textContent = "Draw a digit (or pick one) first."; return; }
    if (state.want === null) { $("steps").textContent = "Choose the right answer in panel 4 first."; return; }
    const lr = Number($("lr").value);
    if (!(lr > 0 && isFinite(lr))) { $("steps").textContent = "The learning rate must be a positive number."; return; }
    trainStep(state.want, lr);
  });
  $("reset").addEventListener("click", function () { resetWeights(); });

  function trainStep(label, lr) {
    state.before = state.fw.a[layers.length].slice();
    const before = sgdStep(state.pixels, label, lr);
    state.steps += 1;
    state.lossSteps = [before, lossAndGrad(forward(state.pixels).a[layers.length], label).loss];
    chooseEdges();
    update();
    return before;
  }
  function resetWeights() {
    layers = copyLayers(TRAINED);
    state.steps = 0;
    state.before = null;
    state.lossSteps = null;
    chooseEdges();
    update();
  }

  function checkLabel(label) {
    if (!Number.isInteger(label) || label < 0 || label >= NAMES.length) {
      throw new Error("explorer: a label must be an integer 0.." + (NAMES.length - 1) + ", got " + label);
    }
    return label;
  }

  // ------------------------------------------------------------------ window.explorer

  // The page's API, for tests and for the curious (try it in the browser's console):
  //   explorer.setPixels(pixels)   784 numbers in [0, 1], row-major as MNIST; used as they
  //                                are (no preprocessing: that is for strokes only).
  //   explorer.outputs()           the 10 numbers model(x) returns (logits for a
  //                                cross-entropy model, not probabilities).
  //   explorer.activations()       one array per layer, the input layer first:
  //                                [x (784), a_1, ..., a_L (= outputs())].
  //   explorer.inputGradient(label)  784 numbers: dL/dpixel, L = the model's loss of this one
  //                                example with the given label (as nn.mse with a one-hot
  //                                target / nn.cross_entropy compute it for a batch of one).
  //   explorer.loss(label)         that L.
  //   explorer.step(label, lr)     one plain SGD step on L: w -= lr * dL/dw for every weight
  //                                and bias (no momentum, no weight decay). Returns L before.
  //   explorer.reset()             back to the trained weights.
  //   explorer.parameters()        [{weight: (nout*nin numbers, row k = into neuron k), bias}]
  //   explorer.drawStrokes(strokes)  draw: strokes are lists of [x, y] points on the 280 x 280
  //                                pad, preprocessed like MNIST (as the mouse's strokes are).
  //   explorer.selectNeuron(k), explorer.setLabel(label), explorer.showNudges(on)  the panels
  //   explorer.neuronXY(l, k)      where neuron k of layer l is drawn (picture units, 560 x 420)
  //   explorer.chart()             what panel 5 draws for the current input: {before, after}
  //                                (outputs, as probabilities for cross-entropy; before is
  //                                null unless the last step was on this input), or null.
  //   explorer.sizes, explorer.lossName   the network's widths and its loss.
  window.explorer = {
    setPixels: function (pixels) {
      if (!pixels || pixels.length !== NPIX) {
        throw new Error("explorer.setPixels: need " + NPIX + " numbers, got " + (pixels ? pixels.length : pixels));
      }
      const x = Float64Array.from(pixels);
      for (let i = 0; i < NPIX; i++) {
        // typeof: Float64Array.from would quietly turn null, true, "0.5" or [0.5] into numbers.
        if (typeof pixels[i] !== "number" || !(x[i] >= 0 && x[i] <= 1)) {
          throw new Error("explorer.setPixels: pixel " + i + " is " + (typeof pixels[i] === "number" ? pixels[i] : JSON.stringify(pixels[i])) + ", not a number in [0, 1]");
        }
      }
      strokes = [];
      newInput(null);
      setInput(x, "pixels set by explorer.setPixels");
    },
    outputs: function () { return Array.from(state.fw.a[layers.length]); },
    activations: function () { return state.fw.a.map(function (a) { return Array.from(a); }); },
    inputGradient: function (label) {
      return Array.from(backward(state.fw, checkLabel(label), false).dA[0]);
    },
    loss: function (label) { return lossAndGrad(state.fw.a[layers.length], checkLabel(label)).loss; },
    step: function (label, lr) {
      checkLabel(label);
      if (typeof lr !== "number" || !(lr > 0) || !isFinite(lr)) {
        throw new Error("explorer.step: lr must be a positive number, got " + lr);
      }
      return trainStep(label, lr);
    },
    reset: resetWeights,
    parameters: function () {
      return layers.map(function (L) { return { weight: Array.from(L.W), bias: Array.from(L.b) }; });
    },
    selectNeuron: function (k) {
      if (!Number.isInteger(k) || k < 0 || k >= layers[0].nout) throw new Error("explorer.selectNeuron: no neuron " + k);
      state.neuron = k;
      render();
    },
    drawStrokes: function (lines) {
      // Replace the drawing with these strokes: lists of [x, y] points on the 280 x 280 pad.
      const bad = "explorer.drawStrokes: strokes must be lists of [x, y] points (numbers on the 280 x 280 pad)";
      if (!Array.isArray(lines) || !lines.every(function (s) {
        return Array.isArray(s) && s.every(function (p) {
          return Array.isArray(p) && p.length === 2 && p.every(function (c) { return typeof c === "number" && isFinite(c); });
        });
      })) throw new Error(bad);
      strokes = lines.map(function (s) { return s.map(function (p) { return [p[0], p[1]]; }); });
      clearPad();
      newInput(null);
      padCtx.strokeStyle = padCtx.fillStyle = "#fff";
      padCtx.lineWidth = 18;
      padCtx.lineCap = padCtx.lineJoin = "round";
      for (const s of strokes) {
        padCtx.beginPath();
        s.forEach(function (p, i) { if (i === 0) padCtx.moveTo(p[0], p[1]); else padCtx.lineTo(p[0], p[1]); });
        if (s.length === 1) padCtx.arc(s[0][0], s[0][1], 9, 0, 2 * Math.PI);
        padCtx.stroke();
      }
      setInput(strokesToPixels(strokes), "your drawing");
    },
    setLabel: setWant,
    neuronXY: function (l, k) {
      if (!Number.isInteger(l) || l < 0 || l >= layout.length || !Number.isInteger(k) || k < 0 || k >= layout[l].xy.length) {
        throw new Error("explorer.neuronXY: no neuron " + k + " in layer " + l);
      }
      return layout[l].xy[k].slice();
    },
    chart: function () { return state.chart; },
    showNudges: function (on) { state.nudges = Boolean(on); $("show-nudges").checked = state.nudges; render(); },
    sizes: [NPIX].concat(layers.map(function (L) { return L.nout; })),
    lossName: LOSS,
  };

  clearPad();
  chooseEdges();
  update();
})();
