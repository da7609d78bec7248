// The chat page: one WebSocket to a gateway, the manual's messages (see
// ../messages.ts). User data is only ever put in the page as text
// (textContent), never as HTML. After a lost connection the page reconnects
// by itself, waiting longer each time (0.5 s doubling up to 5 s), and logs
// back in to the same room.

const $ = (id) => document.getElementById(id);
const view = {
  login: $('login'),
  loginForm: $('login-form'),
  loginError: $('login-error'),
  name: $('name'),
  room: $('room'),
  chat: $('chat'),
  roomName: $('room-name'),
  status: $('status'),
  logout: $('logout'),
  users: $('user-list'),
  userCount: $('user-count'),
  messages: $('messages'),
  sayForm: $('say-form'),
  to: $('to'),
  content: $('content'),
  send: $('send'),
};

const state = {
  url: '',
  socket: null,
  /** The name and room to (re)join on every connection; null while logged out. */
  wanted: null,
  /** Our uid in the current connection, once the server listed the room. */
  self: null,
  users: new Map(),
  retries: 0,
  lost: false,
};

// Connection ------------------------------------------------------------------

async function gatewayUrl() {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const config = await fetch('config.json', { cache: 'no-store' }).then((r) => r.json());
  return `${scheme}://${location.hostname}:${config.gatewayPort}/`;
}

function connect() {
  const socket = new WebSocket(state.url);
  state.socket = socket;
  setStatus('connecting');
  socket.onopen = () => {
    state.retries = 0;
    setStatus('online');
    if (state.lost) note('system', 'back online');
    state.lost = false;
    if (state.wanted) send({ type: 'login', ...state.wanted });
  };
  socket.onmessage = (event) => receive(JSON.parse(event.data));
  socket.onclose = () => {
    if (state.socket !== socket) return;
    state.socket = null;
    state.self = null;
    if (state.wanted && !state.lost) note('system', 'connection lost, reconnecting…');
    state.lost = true;
    const delay = Math.min(5000, 500 * 2 ** state.retries) * (0.8 + Math.random() * 0.4);
    state.retries++;
    setStatus('offline', `reconnecting in ${Math.ceil(delay / 1000)} s`);
    setTimeout(connect, delay);
  };
}

function send(message) {
  if (state.socket?.readyState !== WebSocket.OPEN) return false;
  state.socket.send(JSON.stringify(message));
  return true;
}

function setStatus(name, text = name) {
  view.status.dataset.state = name;
  view.status.textContent = text;
  view.send.disabled = !(name === 'online' && state.self);
}

// What the server says ------------------------------------------------------

function receive(message) {
  switch (message.type) {
    case 'ping':
      send({ type: 'pong' });
      // Counted where a look at the page (or a test) can see the heartbeat.
      document.body.dataset.pings = String(Number(document.body.dataset.pings ?? 0) + 1);
      break;
    case 'user_list':
      state.self = message.self;
      state.users = new Map(message.user_list.map((user) => [user.uid, user.name]));
      view.roomName.textContent = message.room;
      showChat();
      renderUsers();
      setStatus('online');
      break;
    case 'login':
      state.users.set(message.uid, message.name);
      renderUsers();
      note(
        'join',
        message.uid === state.self ? `you joined #${message.room}` : `${message.name} joined`,
        message.time,
      );
      break;
    case 'logout':
      state.users.delete(message.uid);
      renderUsers();
      note('leave', `${message.name} left`, message.time);
      break;
    case 'say':
      said(message);
      break;
    case 'error':
      refused(message);
      break;
  }
}

function said(message) {
  const whisper = message.to_uid !== 'all';
  const item = line(whisper ? 'private' : 'say', message.time);
  if (message.from_uid === state.self) item.classList.add('mine');
  const who = document.createElement('span');
  who.className = 'who';
  who.textContent = whisper
    ? `${message.from_name} → ${message.to_uid === state.self ? 'you' : message.to_name}`
    : message.from_name;
  const text = document.createElement('span');
  text.className = 'text';
  text.textContent = message.content;
  item.append(who, text);
}

function refused(message) {
  const atLogin = !state.self && (message.about === 'name' || message.about === 'room');
  if (atLogin) {
    state.wanted = null;
    view.loginError.textContent = message.message;
    showLogin();
  } else {
    note('error', message.message);
  }
}

// The page --------------------------------------------------------------------

function line(kind, time) {
  const item = document.createElement('li');
  item.dataset.kind = kind;
  const stamp = document.createElement('time');
  const at = time ? new Date(time) : new Date();
  stamp.dateTime = at.toISOString();
  stamp.textContent = at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  item.append(stamp);
  const list = view.messages;
  // Follow new lines only when the reader is at the bottom already.
  const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 40;
  list.append(item);
  if (atBottom) list.scrollTop = list.scrollHeight;
  return item;
}

function note(kind, words, time) {
  const text = document.createElement('span');
  text.className = 'text';
  text.textContent = words;
  line(kind, time).append(text);
}

function renderUsers() {
  const chosen = view.to.value;
  const people = [...state.users].sort((a, b) => a[1].localeCompare(b[1]));
  view.users.replaceChildren(
    ...people.map(([uid, name]) => {
      const item = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.dataset.uid = uid;
      button.textContent = uid === state.self ? `${name} (you)` : name;
      button.addEventListener('click', () => {
        if (uid === state.self) return;
        view.to.value = uid;
        view.content.focus();
      });
      item.append(button);
      return item;
    }),
  );
  view.userCount.textContent = String(people.length);
  const everyone = new Option('everyone', 'all');
  const others = people
    .filter(([uid]) => uid !== state.self)
    .map(([uid, name]) => {
      const option = new Option('', uid);
      option.textContent = `whisper to ${name}`;
      return option;
    });
  view.to.replaceChildren(everyone, ...others);
  view.to.value = state.users.has(chosen) ? chosen : 'all';
}

function showChat() {
  view.login.hidden = true;
  view.chat.hidden = false;
  view.content.focus();
}

function showLogin() {
  view.chat.hidden = true;
  view.login.hidden = false;
  view.name.focus();
}

view.loginForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const wanted = { name: view.name.value.trim(), room: view.room.value.trim() };
  view.loginError.textContent = '';
  state.wanted = wanted;
  localStorage.setItem('chat.name', wanted.name);
  localStorage.setItem('chat.room', wanted.room);
  if (!send({ type: 'login', ...wanted })) view.loginError.textContent = 'connecting…';
});

view.sayForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const content = view.content.value.trim();
  if (content === '') return;
  if (send({ type: 'say', to_uid: view.to.value, content })) view.content.value = '';
});

view.logout.addEventListener('click', () => {
  send({ type: 'logout' });
  state.wanted = null;
  state.self = null;
  state.users.clear();
  view.messages.replaceChildren();
  showLogin();
});

view.name.value = localStorage.getItem('chat.name') ?? '';
view.room.value = localStorage.getItem('chat.room') ?? 'lobby';
state.url = await gatewayUrl();
connect();
