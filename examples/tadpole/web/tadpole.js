// The pond in the browser: your tadpole, steered with the keyboard or the
// mouse, and everyone else's, as the gateway reports them. Names and chat
// bubbles are drawn with fillText on the canvas, never put into the page as
// HTML, so whatever another player types stays text.
(() => {
  const SEND_EVERY_MS = 66; // at most ~15 updates a second (the server allows 20)
  const KEEPALIVE_MS = 1000; // an update even when still, so newcomers see us
  const BUBBLE_MS = 6000;
  const MAX_MOMENTUM = 3;
  const SPEED = 90; // pond units a second per unit of momentum
  const TURN_RATE = 3.2; // radians a second

  const canvas = document.getElementById('pond');
  const draw = canvas.getContext('2d');
  const nameInput = document.getElementById('name');
  const sayInput = document.getElementById('say');
  const chatForm = document.getElementById('chat');

  const me = {
    x: (Math.random() - 0.5) * 400,
    y: (Math.random() - 0.5) * 400,
    angle: Math.random() * Math.PI * 2 - Math.PI,
    momentum: 0,
    name: loadName(),
    phase: 0,
    bubble: null,
  };
  /** id -> { x, y, angle, momentum, name, shown: {x, y, angle}, phase, bubble } */
  const others = new Map();
  const net = { socket: null, id: null, connected: false, retryAt: 0, attempts: 0 };
  const keys = new Set();
  const pointer = { down: false, x: 0, y: 0 };
  let lastSent = { at: 0, x: Number.NaN, y: Number.NaN, angle: 0, name: '' };

  // Players ----------------------------------------------------------------

  function loadName() {
    const saved = localStorage.getItem('tadpole-name');
    return saved && cleanName(saved)
      ? cleanName(saved)
      : `Guest ${Math.floor(Math.random() * 9000 + 1000)}`;
  }

  /** The server's rule: 1..24 characters, no control characters. */
  function cleanName(name) {
    const clean = String(name)
      .replace(/[\p{Cc}\u2028\u2029]/gu, '')
      .trim();
    const length = [...clean].length;
    return length >= 1 && length <= 24 ? clean : null;
  }

  nameInput.value = me.name;
  nameInput.addEventListener('change', () => {
    const name = cleanName(nameInput.value);
    if (name) {
      me.name = name;
      localStorage.setItem('tadpole-name', name);
    }
    nameInput.value = me.name;
    sendUpdate(performance.now(), true);
  });

  // The form is never submitted: Enter is handled below, per field.
  chatForm.addEventListener('submit', (event) => event.preventDefault());

  function say() {
    const text = sayInput.value.trim();
    if (text !== '' && send({ type: 'message', message: text })) {
      me.bubble = { text: [...text].slice(0, 140).join(''), until: performance.now() + BUBBLE_MS };
    }
    sayInput.value = '';
  }

  // Controls ---------------------------------------------------------------

  const typing = () => document.activeElement === nameInput || document.activeElement === sayInput;

  window.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' || (event.key === 'Enter' && typing())) {
      // Enter in the chat field says it; in the name field it is done naming
      // (the change event sends the name); either way, back to swimming.
      if (event.key === 'Enter' && document.activeElement === sayInput) say();
      event.preventDefault();
      document.activeElement?.blur();
      return;
    }
    if (typing()) return;
    if (event.key === 'Enter') {
      event.preventDefault();
      sayInput.focus();
      return;
    }
    keys.add(event.key.toLowerCase());
    if (event.key.startsWith('Arrow')) event.preventDefault();
  });
  window.addEventListener('keyup', (event) => keys.delete(event.key.toLowerCase()));
  // Keys held when the focus leaves the pond would otherwise stay held.
  for (const target of [window, nameInput, sayInput]) {
    target.addEventListener(target === window ? 'blur' : 'focus', () => keys.clear());
  }

  canvas.addEventListener('pointerdown', (event) => {
    document.activeElement?.blur();
    pointer.down = true;
    pointer.x = event.clientX;
    pointer.y = event.clientY;
  });
  canvas.addEventListener('pointermove', (event) => {
    pointer.x = event.clientX;
    pointer.y = event.clientY;
  });
  window.addEventListener('pointerup', () => {
    pointer.down = false;
  });

  const held = (...names) => names.some((name) => keys.has(name));

  /** Turning, thrust and drag over `dt` seconds. */
  function steer(dt) {
    let turn = 0;
    let thrust = held('arrowup', 'w') ? 1 : 0;
    if (held('arrowleft', 'a')) turn -= 1;
    if (held('arrowright', 'd')) turn += 1;
    if (held('arrowdown', 's')) me.momentum = Math.max(0, me.momentum - 4 * dt);
    if (pointer.down) {
      // Swim towards the pointer (we are always drawn at the centre).
      const wanted = Math.atan2(
        pointer.y - canvas.clientHeight / 2,
        pointer.x - canvas.clientWidth / 2,
      );
      const delta = Math.atan2(Math.sin(wanted - me.angle), Math.cos(wanted - me.angle));
      turn = Math.max(-1, Math.min(1, delta * 4));
      thrust = 1;
    }
    me.angle += turn * TURN_RATE * dt;
    me.angle = Math.atan2(Math.sin(me.angle), Math.cos(me.angle));
    me.momentum = Math.min(MAX_MOMENTUM, me.momentum + thrust * 2.5 * dt);
    me.momentum *= Math.exp(-0.9 * dt); // the water slows us down
    if (me.momentum < 0.01) me.momentum = 0;
    me.x += Math.cos(me.angle) * me.momentum * SPEED * dt;
    me.y += Math.sin(me.angle) * me.momentum * SPEED * dt;
    me.x = Math.max(-10000, Math.min(10000, me.x));
    me.y = Math.max(-10000, Math.min(10000, me.y));
    me.phase += (1 + me.momentum * 4) * dt * 6;
  }

  // Network ----------------------------------------------------------------

  function send(message) {
    if (!net.connected) return false;
    net.socket.send(JSON.stringify(message));
    return true;
  }

  function sendUpdate(now, force) {
    if (!net.connected || now - lastSent.at < SEND_EVERY_MS) return;
    const moved =
      Math.abs(me.x - lastSent.x) > 0.5 ||
      Math.abs(me.y - lastSent.y) > 0.5 ||
      Math.abs(me.angle - lastSent.angle) > 0.02 ||
      me.name !== lastSent.name;
    if (!force && !moved && now - lastSent.at < KEEPALIVE_MS) return;
    const { x, y, angle, momentum, name } = me;
    send({ type: 'update', x, y, angle, momentum, name });
    lastSent = { at: now, x, y, angle, name };
  }

  async function gatewayUrl() {
    const config = await (await fetch('config.json', { cache: 'no-store' })).json();
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    return `${scheme}://${location.hostname}:${Number(config.gatewayPort)}`;
  }

  async function connect() {
    let socket;
    try {
      socket = new WebSocket(await gatewayUrl());
    } catch {
      retryLater();
      return;
    }
    net.socket = socket;
    socket.onopen = () => {
      net.connected = true;
      net.attempts = 0;
      lastSent.at = 0;
      sendUpdate(performance.now(), true);
    };
    socket.onmessage = (event) => receive(event.data);
    socket.onclose = () => {
      net.connected = false;
      net.id = null;
      others.clear();
      retryLater();
    };
  }

  /** Backoff: 0.5 s, 1 s, 2 s ... up to 10 s, with some jitter so a restarted server is not hit at once. */
  function retryLater() {
    const delay = Math.min(10000, 500 * 2 ** net.attempts) * (0.75 + Math.random() / 2);
    net.attempts++;
    net.retryAt = performance.now() + delay;
    setTimeout(connect, delay);
  }

  function receive(data) {
    let message;
    try {
      message = JSON.parse(data);
    } catch {
      return;
    }
    if (typeof message !== 'object' || message === null) return;
    const id = String(message.id);
    if (message.type === 'welcome') {
      net.id = id;
    } else if (message.type === 'update') {
      let tadpole = others.get(id);
      if (!tadpole) {
        tadpole = {
          shown: { x: message.x, y: message.y, angle: message.angle },
          phase: 0,
          bubble: null,
        };
        others.set(id, tadpole);
      }
      tadpole.x = Number(message.x);
      tadpole.y = Number(message.y);
      tadpole.angle = Number(message.angle);
      tadpole.momentum = Number(message.momentum);
      tadpole.name = String(message.name);
    } else if (message.type === 'message') {
      const tadpole = others.get(id);
      if (tadpole)
        tadpole.bubble = { text: String(message.message), until: performance.now() + BUBBLE_MS };
    } else if (message.type === 'closed') {
      others.delete(id);
    }
  }

  // Drawing ----------------------------------------------------------------

  function resize() {
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(canvas.clientWidth * ratio);
    canvas.height = Math.round(canvas.clientHeight * ratio);
    draw.setTransform(ratio, 0, 0, ratio, 0, 0);
  }
  window.addEventListener('resize', resize);
  resize();

  /** Specks in the water, fixed to the pond, so swimming shows even with nobody around. */
  function drawWater(camX, camY, width, height) {
    const gradient = draw.createRadialGradient(
      width / 2,
      height / 2,
      0,
      width / 2,
      height / 2,
      Math.max(width, height),
    );
    gradient.addColorStop(0, '#14455c');
    gradient.addColorStop(1, '#081c27');
    draw.fillStyle = gradient;
    draw.fillRect(0, 0, width, height);
    const cell = 80;
    draw.fillStyle = 'rgba(180, 230, 255, 0.18)';
    const left = Math.floor((camX - width / 2) / cell);
    const top = Math.floor((camY - height / 2) / cell);
    for (let i = left; i <= left + width / cell + 1; i++) {
      for (let j = top; j <= top + height / cell + 1; j++) {
        const hash = Math.sin(i * 12.9898 + j * 78.233) * 43758.5453;
        const r = hash - Math.floor(hash);
        const x = i * cell + r * cell - camX + width / 2;
        const y = j * cell + ((r * 7) % 1) * cell - camY + height / 2;
        draw.fillRect(x, y, 1 + r * 2, 1 + r * 2);
      }
    }
  }

  function drawTadpole(t, x, y, angle, isMe) {
    // The tail: segments behind the head, each swinging a little later than the one before.
    draw.save();
    draw.translate(x, y);
    draw.rotate(angle);
    draw.scale(1.6, 1.6);
    draw.strokeStyle = isMe ? 'rgba(255, 236, 170, 0.85)' : 'rgba(216, 243, 255, 0.75)';
    draw.lineCap = 'round';
    let px = -4;
    let py = 0;
    for (let i = 1; i <= 8; i++) {
      const nx = -4 - i * 2.6;
      const ny = Math.sin(t.phase - i * 0.7) * (0.6 + i * 0.45) * (0.4 + Math.min(1, t.momentum));
      draw.lineWidth = Math.max(0.8, 4.5 - i * 0.45);
      draw.beginPath();
      draw.moveTo(px, py);
      draw.lineTo(nx, ny);
      draw.stroke();
      px = nx;
      py = ny;
    }
    draw.fillStyle = isMe ? '#ffe9a8' : '#d8f3ff';
    draw.beginPath();
    draw.ellipse(0, 0, 7, 5.5, 0, 0, Math.PI * 2);
    draw.fill();
    draw.restore();

    draw.font = '12px system-ui, sans-serif';
    draw.textAlign = 'center';
    draw.fillStyle = 'rgba(216, 243, 255, 0.85)';
    draw.fillText(t.name ?? '', x, y + 50);
    if (t.bubble && t.bubble.until > performance.now()) drawBubble(t.bubble.text, x, y - 26);
  }

  /** A rounded box with the text wrapped to ~200 px, its tip at (x, y). */
  function drawBubble(text, x, y) {
    draw.font = '13px system-ui, sans-serif';
    const lines = [];
    let line = '';
    for (const word of text.split(/\s+/)) {
      const next = line === '' ? word : `${line} ${word}`;
      if (draw.measureText(next).width > 200 && line !== '') {
        lines.push(line);
        line = word;
      } else line = next;
    }
    lines.push(line);
    const width = Math.min(220, Math.max(...lines.map((l) => draw.measureText(l).width)) + 16);
    const height = lines.length * 16 + 10;
    draw.fillStyle = 'rgba(255, 255, 255, 0.9)';
    draw.beginPath();
    draw.roundRect(x - width / 2, y - height - 6, width, height, 8);
    draw.moveTo(x - 5, y - 6);
    draw.lineTo(x, y);
    draw.lineTo(x + 5, y - 6);
    draw.fill();
    draw.fillStyle = '#0b2a3a';
    draw.textAlign = 'center';
    lines.forEach((l, i) => {
      draw.fillText(l, x, y - height + 10 + i * 16, 204);
    });
  }

  function drawStatus(now) {
    draw.font = '13px system-ui, sans-serif';
    draw.textAlign = 'left';
    draw.fillStyle = 'rgba(216, 243, 255, 0.8)';
    const status = net.connected
      ? `${others.size + 1} tadpole${others.size === 0 ? '' : 's'} in the pond`
      : `reconnecting in ${Math.max(0, Math.ceil((net.retryAt - now) / 1000))} s`;
    draw.fillText(status, 12, 22);
    draw.fillText(`x ${Math.round(me.x)}  y ${Math.round(me.y)}`, 12, 40);
  }

  // The loop ---------------------------------------------------------------

  let previous = performance.now();
  function frame(now) {
    const dt = Math.min(0.1, (now - previous) / 1000);
    previous = now;
    steer(dt);
    sendUpdate(now, false);

    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    drawWater(me.x, me.y, width, height);
    const follow = Math.min(1, dt * 10);
    for (const t of others.values()) {
      // Glide towards the last reported place; updates arrive ~15 times a second.
      t.shown.x += (t.x - t.shown.x) * follow;
      t.shown.y += (t.y - t.shown.y) * follow;
      t.shown.angle +=
        Math.atan2(Math.sin(t.angle - t.shown.angle), Math.cos(t.angle - t.shown.angle)) * follow;
      t.phase += (1 + t.momentum * 4) * dt * 6;
      drawTadpole(
        t,
        t.shown.x - me.x + width / 2,
        t.shown.y - me.y + height / 2,
        t.shown.angle,
        false,
      );
    }
    drawTadpole(me, width / 2, height / 2, me.angle, true);
    drawStatus(now);
    requestAnimationFrame(frame);
  }

  // Read-only state for tests and the curious: window.pond.snapshot().
  window.pond = Object.freeze({
    snapshot: () => ({
      connected: net.connected,
      id: net.id,
      me: { x: me.x, y: me.y, angle: me.angle, momentum: me.momentum, name: me.name },
      tadpoles: [...others].map(([id, t]) => ({
        id,
        x: t.x,
        y: t.y,
        angle: t.angle,
        name: t.name,
        bubble: t.bubble && t.bubble.until > performance.now() ? t.bubble.text : null,
      })),
    }),
  });

  connect();
  requestAnimationFrame(frame);
})();
