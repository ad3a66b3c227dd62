import { PAIR_PAGE_PATHS } from '../../pair-page.paths.js';

// Constants, the secret taken out of the address bar, sessionStorage, views and HTTP.
// A part of the /pair page's script (see ../pair-script.ts): plain ES2020 text inside its IIFE.
export const CORE = `  var PAGE_PATH = '${PAIR_PAGE_PATHS.page}';
  var STORAGE_KEY = 'sharexpress.pair.v1';
  var REFRESH_MS = 15000;
  var REQUEST_TIMEOUT_MS = 15000;
  var SLOW_DOWN_STEP_S = 5;
  var VIEWS = ['code-form', 'retry-view', 'waiting-view', 'session-view', 'ended-view'];

  // The secret leaves the address bar (and this history entry) before anything else runs.
  function takeSecret() {
    var found = location.hash.length > 1 ? location.hash.slice(1) : null;
    if (location.hash !== '' || location.search !== '') history.replaceState(null, '', PAGE_PATH);
    return found;
  }
  var secret = takeSecret();

  var el = function (id) {
    return document.getElementById(id);
  };
  var clockSkewMs = 0;
  var generation = 0; // bumped whenever the page moves on, so stale loops and timers stop
  var timers = [];

  // ---- storage: sessionStorage, so the token lives as long as this tab ----
  function load() {
    try {
      var raw = sessionStorage.getItem(STORAGE_KEY);
      return raw === null ? null : JSON.parse(raw);
    } catch {
      return null;
    }
  }
  function save(state) {
    try {
      sessionStorage.setItem(STORAGE_KEY, JSON.stringify(state));
    } catch {
      // Storage refused (private mode, quota): the page still works until it is closed.
    }
  }
  function forget() {
    try {
      sessionStorage.removeItem(STORAGE_KEY);
    } catch {
      // nothing stored
    }
  }

  // ---- views ----
  function moveOn() {
    generation += 1;
    timers.forEach(function (t) {
      clearInterval(t);
      clearTimeout(t);
    });
    timers = [];
    return generation;
  }
  function show(id) {
    VIEWS.forEach(function (view) {
      el(view).hidden = view !== id;
    });
    el('app').setAttribute('aria-busy', 'false');
  }
  function setStatus(text) {
    el('status').textContent = text;
  }
  function setError(text) {
    var box = el('error');
    box.textContent = text || '';
    box.hidden = !text;
  }
  function busy(text) {
    el('app').setAttribute('aria-busy', 'true');
    setError('');
    setStatus(text);
  }
  function ended(title, detail) {
    moveOn();
    forget();
    setStatus('');
    setError('');
    el('ended-title').textContent = title;
    el('ended-detail').textContent = detail;
    show('ended-view');
  }
  function disconnected() {
    ended(
      'This device was disconnected',
      'The session was closed or its owner removed this device. Ask for a new QR code to join again.',
    );
  }

  // ---- HTTP ----
  function noteServerTime(res) {
    var date = Date.parse(res.headers.get('date') || '');
    if (isNaN(date)) return;
    var skew = date - Date.now();
    // The Date header has 1 s resolution: correct only a clock that is clearly off.
    clockSkewMs = Math.abs(skew) > 2000 ? skew : 0;
  }
  function serverNow() {
    return Date.now() + clockSkewMs;
  }
  // Resolves { status, body, retryAfter } for any HTTP answer; rejects only when the server
  // could not be reached (offline, timeout).
  function api(method, path, body, token) {
    var headers = { accept: 'application/json, application/problem+json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers.authorization = 'Bearer ' + token;
    var controller = new AbortController();
    var timeout = setTimeout(function () {
      controller.abort();
    }, REQUEST_TIMEOUT_MS);
    return fetch(path, {
      method: method,
      headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
      redirect: 'error',
      signal: controller.signal,
    })
      .then(function (res) {
        noteServerTime(res);
        var retryAfter = Number(res.headers.get('retry-after')) || 0;
        return res.text().then(function (text) {
          var data;
          try {
            data = text === '' ? null : JSON.parse(text);
          } catch {
            data = null; // not JSON (an answer from something in between)
          }
          return { status: res.status, body: data, retryAfter: retryAfter };
        });
      })
      .finally(function () {
        clearTimeout(timeout);
      });
  }
  function problemCode(res) {
    return res.body && typeof res.body.code === 'string' ? res.body.code : '';
  }
  function sleep(ms) {
    return new Promise(function (resolve) {
      timers.push(setTimeout(resolve, ms));
    });
  }
`;
