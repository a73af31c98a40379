// The video site's pages. Every request a page makes goes through call(), which lists it under
// "Requests from this page" with its latency and trace id, linked to that trace in Jaeger.
// The trace starts at the gateway: its server span is the root, and the page reads the trace id from
// the X-Trace-Id header every answer carries (README, "The web front"). The page sends no traceparent.

const config = document.body.dataset;
const jaeger = (config.jaegerUrl || '').replace(/\/+$/, '');
const userId = new URLSearchParams(location.search).get('userId');
const validUser = /^[1-9][0-9]{0,8}$/.test(userId || '');
const requestLog = document.querySelector('#request-log tbody');
const MAX_ROWS = 30;
const REQUEST_TIMEOUT_MS = 10_000; // the gateway answers within its own 4 s budget
const HEARTBEAT_MS = 20_000; // user-service keeps a user online for 60 s after a heartbeat

function traceLink(traceId) {
  const link = document.createElement('a');
  link.href = `${jaeger}/trace/${traceId}`;
  link.target = '_blank';
  link.rel = 'noopener';
  link.className = 'trace';
  link.textContent = traceId;
  return link;
}

function record({ method, path, status, millis, traceId, note }) {
  const row = requestLog.insertRow(0);
  row.dataset.method = method;
  row.dataset.path = path;
  row.dataset.status = String(status);
  if (traceId) {
    row.dataset.traceId = traceId;
  }
  row.className = status === 0 || status >= 500 ? 'failed' : status >= 400 ? 'refused' : 'ok';
  row.insertCell().textContent = new Date().toLocaleTimeString();
  row.insertCell().textContent = `${method} ${path}${note ? ` (${note})` : ''}`;
  row.insertCell().textContent = status === 0 ? 'no answer' : String(status);
  const latency = row.insertCell();
  latency.className = 'num';
  latency.textContent = `${millis} ms`;
  row.insertCell().append(traceId ? traceLink(traceId) : '–');
  while (requestLog.rows.length > MAX_ROWS) {
    requestLog.deleteRow(-1);
  }
}

/** Sends one request to the API and lists it; never throws. */
async function call(method, path, body) {
  const started = performance.now();
  let response;
  let text;
  try {
    response = await fetch(path, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    text = await response.text();
  } catch (e) {
    record({ method, path, status: 0, millis: Math.round(performance.now() - started) });
    return { ok: false, status: 0, traceId: null, data: null };
  }
  const millis = Math.round(performance.now() - started);
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch (e) {
    // not JSON: the status alone tells what happened
  }
  const traceId = response.headers.get('X-Trace-Id') || (data && data.traceId) || null;
  record({ method, path, status: response.status, millis, traceId });
  return { ok: response.ok, status: response.status, traceId, data };
}

/**
 * What a real site says when a request fails: a friendly sentence, the server's explanation when
 * the mistake is the visitor's own (a 4xx), and the trace id as the reference to quote.
 */
function showProblem(action, result) {
  const box = document.getElementById('problem');
  const detail = result.data && typeof result.data.detail === 'string' ? result.data.detail : null;
  let message;
  if (result.status === 0) {
    message = `We could not reach the video site while ${action.doing}. Check your connection and try again.`;
  } else if (result.status === 404) {
    message = `We could not find what you asked for while ${action.doing}.`;
  } else if (result.status >= 400 && result.status < 500) {
    message = action.refused;
  } else if (result.status === 504) {
    message = `Something went wrong while ${action.doing}: it took too long. Please try again in a moment.`;
  } else {
    message = `Something went wrong while ${action.doing}. Please try again in a moment.`;
  }
  const paragraphs = [paragraph('message', message)];
  if (detail && result.status >= 400 && result.status < 500) {
    paragraphs.push(paragraph('explanation', detail));
  }
  if (result.traceId) {
    const reference = paragraph('reference', 'Reference: ');
    reference.append(traceLink(result.traceId));
    paragraphs.push(reference);
  }
  box.replaceChildren(...paragraphs);
  box.dataset.status = String(result.status);
  box.dataset.traceId = result.traceId || '';
  box.hidden = false;
}

function clearProblem() {
  const box = document.getElementById('problem');
  box.hidden = true;
  box.replaceChildren();
}

function paragraph(className, text) {
  const p = document.createElement('p');
  p.className = className;
  p.textContent = text;
  return p;
}

function element(tag, className, text) {
  const e = document.createElement(tag);
  if (className) {
    e.className = className;
  }
  if (text !== undefined) {
    e.textContent = text;
  }
  return e;
}

function duration(seconds) {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = String(seconds % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

function userPage(path) {
  return `${path}?userId=${encodeURIComponent(userId)}`;
}

/** The header's links for the current user, and the heartbeats that count them online on this page. */
function startSession(page) {
  if (!validUser) {
    return;
  }
  const nav = document.querySelector('.user-nav');
  nav.querySelectorAll('[data-user-link]').forEach((a) => { a.href = userPage(a.dataset.userLink); });
  nav.querySelector('.who').textContent = `User ${userId}`;
  nav.hidden = false;
  const online = document.getElementById('online');
  const beat = async () => {
    const result = await call('POST', `/api/users/${userId}/heartbeat?page=${page}`);
    online.textContent = result.ok ? `${result.data.onlineOnPage} online on this page` : 'online: unknown';
    online.dataset.count = result.ok ? String(result.data.onlineOnPage) : '';
  };
  beat();
  setInterval(beat, HEARTBEAT_MS);
}

function needUser() {
  if (validUser) {
    return true;
  }
  const box = document.getElementById('problem');
  const p = paragraph('message', 'Pick a user first: ');
  const link = element('a', null, 'the list of users');
  link.href = '/';
  p.append(link);
  box.replaceChildren(p);
  box.hidden = false;
  return false;
}

/** The page's own request, as the browser timed it, with the trace id the gateway rendered into it. */
function recordThisPage() {
  const navigation = performance.getEntriesByType('navigation')[0];
  record({
    method: 'GET',
    path: location.pathname + location.search,
    status: navigation && navigation.responseStatus ? navigation.responseStatus : 200,
    millis: navigation ? Math.round(navigation.responseEnd - navigation.requestStart) : 0,
    traceId: config.traceId || null,
    note: 'this page',
  });
}

const pages = {
  users() {},

  async home() {
    if (!needUser()) {
      return;
    }
    startSession('home');
    const result = await call('GET', `/api/home?userId=${userId}`);
    if (!result.ok) {
      showProblem({ doing: 'loading your home page', refused: 'This home page cannot be shown.' }, result);
      return;
    }
    const { user, feed, feedFromCache } = result.data;
    document.getElementById('greeting').textContent = `Hello, ${user.name}`;
    document.getElementById('feed-note').textContent = feedFromCache
      ? `Picked for @${user.handle} a little earlier (recommend-service's cache).`
      : `Picked for @${user.handle} just now by recommend-service.`;
    const list = document.getElementById('feed');
    list.replaceChildren(...feed.map((video) => {
      const item = element('li');
      item.dataset.videoId = String(video.id);
      const link = element('a');
      link.href = userPage(`/watch/${video.id}`);
      link.append(element('span', 'thumb', '▶'), element('strong', 'title', video.title),
        element('span', 'meta', `${video.category} · ${duration(video.durationSeconds)}`));
      item.append(link);
      return item;
    }));
    document.body.dataset.loaded = 'home';
  },

  async video() {
    // /watch/1 or /watch/1/: the last segment that is not empty
    const id = location.pathname.split('/').filter(Boolean).pop();
    startSession('video');
    const path = `/api/videos/${encodeURIComponent(id)}` + (validUser ? `?userId=${userId}` : '');
    const result = await call('GET', path);
    if (!result.ok) {
      showProblem({ doing: 'loading this video', refused: 'This video cannot be shown.' }, result);
      return;
    }
    const video = result.data;
    document.getElementById('video-title').textContent = video.title;
    document.title = `${video.title} · Video site`;
    const facts = document.getElementById('video-facts');
    const rows = [
      ['Category', video.category],
      ['Duration', duration(video.durationSeconds)],
      ['Size', `${(video.sizeBytes / 1e6).toFixed(1)} MB`],
      ['Uploaded by', `user ${video.uploaderId}`],
      ['Uploaded', new Date(video.uploadedAt).toLocaleDateString()],
    ];
    facts.replaceChildren(...rows.flatMap(([term, value]) => [element('dt', null, term), element('dd', null, value)]));
    document.getElementById('view-note').textContent = validUser
      ? 'Your view went into your watch history (user-service), so your next home feed knows about it.'
      : 'Pick a user to have your views recorded.';
    document.getElementById('video').hidden = false;
    document.body.dataset.loaded = 'video';
  },

  upload() {
    if (!needUser()) {
      return;
    }
    startSession('upload');
    const form = document.getElementById('upload-form');
    const done = document.getElementById('upload-result');
    const number = (name) => {
      const value = form.elements[name].value.trim();
      return value === '' ? null : Number(value);
    };
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      clearProblem();
      done.hidden = true;
      const button = form.querySelector('button');
      button.disabled = true;
      const result = await call('POST', '/api/videos', {
        title: form.elements.title.value,
        durationSeconds: number('durationSeconds'),
        sizeBytes: number('sizeBytes'),
        uploaderId: Number(userId),
        category: form.elements.category.value,
      });
      button.disabled = false;
      if (!result.ok) {
        showProblem({ doing: 'uploading your video', refused: 'Your video was not accepted.' }, result);
        return;
      }
      const link = element('a', null, result.data.title);
      link.href = userPage(`/watch/${result.data.id}`);
      const p = paragraph('message', 'Uploaded: ');
      p.append(link);
      const reference = paragraph('reference', 'Trace: ');
      reference.append(traceLink(result.traceId));
      done.replaceChildren(p, reference);
      done.dataset.videoId = String(result.data.id);
      done.hidden = false;
      form.reset();
    });
    document.body.dataset.loaded = 'upload';
  },
};

recordThisPage();
(pages[config.page] || pages.users)();
