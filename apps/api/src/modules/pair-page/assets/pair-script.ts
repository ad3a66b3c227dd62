import { PAIR_PAGE_PATHS } from '../pair-page.paths.js';

// The /pair page's script: plain ES2020 for the browser, no framework, same-origin requests
// only. It takes the pairing secret out of the address bar first, claims, waits for approval
// when the session asks for it (RFC 8628 polling), then shows the session until it ends.
// Everything it shows goes in through textContent, never as HTML. Kept as a string (the
// project's TypeScript has no DOM types); pair-page.assets.spec.ts parses and lints it.
export const PAIR_SCRIPT = `(function () {
  'use strict';

  var PAGE_PATH = '${PAIR_PAGE_PATHS.page}';
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

  // ---- claiming ----
  function defaultDeviceName() {
    var ua = navigator.userAgent || '';
    var os = /iPhone/.test(ua) ? 'iPhone'
      : /iPad/.test(ua) ? 'iPad'
      : /Android/.test(ua) ? 'Android'
      : /Windows/.test(ua) ? 'Windows'
      : /Mac OS X/.test(ua) ? 'Mac'
      : /CrOS/.test(ua) ? 'ChromeOS'
      : /Linux/.test(ua) ? 'Linux' : '';
    var browser = /EdgA?\\/|EdgiOS/.test(ua) ? 'Edge'
      : /SamsungBrowser/.test(ua) ? 'Samsung Internet'
      : /Firefox|FxiOS/.test(ua) ? 'Firefox'
      : /Chrome\\/|CriOS/.test(ua) ? 'Chrome'
      : /Safari\\//.test(ua) ? 'Safari' : '';
    if (browser && os) return browser + ' on ' + os;
    return browser || os || 'Web browser';
  }
  function normalizeCode(value) {
    return value.replace(/[\\s-]+/g, '').toUpperCase();
  }
  function showCodeForm(error) {
    moveOn();
    setStatus(error ? '' : 'Scan the QR code with this phone, or type the code shown with it.');
    setError(error || '');
    el('device-name').placeholder = defaultDeviceName();
    el('code-submit').disabled = false;
    show('code-form');
    if (error) el('code').focus();
  }
  function offline(retry) {
    moveOn();
    setStatus('');
    setError('Could not reach the server. Check your connection and try again.');
    show('retry-view');
    el('retry').onclick = retry;
  }
  function claim(credential, deviceName) {
    var usingCode = credential.code !== undefined;
    moveOn();
    busy('Joining the session…');
    el('code-submit').disabled = true;
    var body = { deviceName: deviceName };
    if (usingCode) body.code = credential.code;
    else body.secret = credential.secret;
    return api('POST', '/v1/pairings/claim', body).then(
      function (res) {
        if (res.status === 201 && res.body && res.body.accessToken) return activate(res.body);
        if (res.status === 202 && res.body && res.body.pollSecret) return pending(res.body);
        return claimFailed(res, usingCode);
      },
      function () {
        offline(function () {
          claim(credential, deviceName);
        });
      },
    );
  }
  function claimFailed(res, usingCode) {
    if (res.status === 410) {
      return ended('This session has ended', 'It can no longer be joined.');
    }
    if (res.status === 409) {
      // Full for now (the owner can remove a device) or for good (too many devices came and went):
      // the server's detail says which.
      var detail = res.body && typeof res.body.detail === 'string' ? res.body.detail : '';
      return ended('This session cannot take this device', detail || 'No more devices can join it. Ask its owner to make room.');
    }
    if (res.status === 429) {
      var wait = res.retryAfter > 0 ? ' Wait ' + res.retryAfter + ' s and try again.' : ' Wait a moment and try again.';
      return showCodeForm('Too many attempts from this network.' + wait);
    }
    if (res.status === 401) {
      return showCodeForm(
        usingCode
          ? 'That code did not work: it may be mistyped, already used or expired. Check it, or ask for a new one.'
          : 'This pairing link has already been used or has expired. Ask for a new QR code, or type a fresh code here.',
      );
    }
    if (res.status === 400 && usingCode) {
      return showCodeForm('That does not look like a pairing code: 8 letters, like BCDF-GHJK.');
    }
    if (res.status === 400) {
      return showCodeForm('This pairing link is damaged. Scan the QR code again, or type the code here.');
    }
    return showCodeForm('Joining failed (error ' + res.status + '). Try again in a moment.');
  }

  // ---- waiting for approval (RFC 8628 device flow polling) ----
  function pending(body) {
    var state = {
      kind: 'pending',
      pollSecret: body.pollSecret,
      interval: Number(body.interval) || 5,
      expiresAt: body.expiresAt || null,
      device: body.device || {},
    };
    save(state);
    return waitForApproval(state);
  }
  function waitForApproval(state) {
    var run = moveOn();
    setError('');
    setStatus('Joined: waiting for the owner to let this device in.');
    el('waiting-device').textContent = state.device.name || 'this device';
    show('waiting-view');
    var deadline = state.expiresAt ? Date.parse(state.expiresAt) : NaN;
    var interval = Math.max(1, state.interval);
    var extraWait = 0;
    function tick() {
      // A little slack, so that timer and network jitter never make a poll look early.
      return sleep((interval + extraWait) * 1000 + 250).then(function () {
        if (run !== generation) return undefined;
        extraWait = 0;
        if (!isNaN(deadline) && serverNow() > deadline) return notApprovedInTime();
        return api('POST', '/v1/pairings/poll', { pollSecret: state.pollSecret }).then(
          function (res) {
            if (run !== generation) return undefined;
            return answered(res);
          },
          function () {
            return run === generation ? tick() : undefined; // offline for a moment: keep polling
          },
        );
      });
    }
    function answered(res) {
      var code = problemCode(res);
      if (res.status === 200 && res.body && res.body.accessToken) return activate(res.body);
      if (res.status === 400 && code === 'AUTHORIZATION_PENDING') return tick();
      if (res.status === 400 && code === 'SLOW_DOWN') {
        interval += SLOW_DOWN_STEP_S;
        state.interval = interval;
        save(state);
        return tick();
      }
      if (res.status === 429 || res.status >= 500) {
        extraWait = Math.max(res.retryAfter, interval);
        return tick();
      }
      if (res.status === 403) {
        return ended('Not approved', 'The session\\'s owner did not let this device in.');
      }
      if (res.status === 410) return ended('This session has ended', 'It can no longer be joined.');
      if (res.status === 401) return notApprovedInTime();
      return ended('Could not join', 'The server refused the request (error ' + res.status + ').');
    }
    function notApprovedInTime() {
      return ended('Pairing expired', 'It was not approved in time. Ask for a new QR code to try again.');
    }
    return tick();
  }

  // ---- the session view ----
  function activate(body) {
    var state = {
      kind: 'active',
      accessToken: body.accessToken,
      tokenExpiresAt: body.expiresAt || null,
      session: body.session,
      device: body.device || {},
      files: [],
    };
    save(state);
    return enterSession(state);
  }
  function formatRemaining(ms) {
    var total = Math.max(0, Math.floor(ms / 1000));
    var days = Math.floor(total / 86400);
    var h = Math.floor((total % 86400) / 3600);
    var m = Math.floor((total % 3600) / 60);
    var s = total % 60;
    var two = function (n) {
      return (n < 10 ? '0' : '') + n;
    };
    var clock = (h > 0 || days > 0 ? two(h) + ':' : '') + two(m) + ':' + two(s);
    return days > 0 ? days + ' d ' + clock : clock;
  }
  function formatSize(bytes) {
    var units = ['B', 'KB', 'MB', 'GB', 'TB'];
    var n = Number(bytes) || 0;
    var i = 0;
    while (n >= 1000 && i < units.length - 1) {
      n /= 1000;
      i += 1;
    }
    return (i === 0 ? String(n) : n.toFixed(n < 10 ? 1 : 0)) + ' ' + units[i];
  }
  function renderFiles(files) {
    var list = el('files');
    list.textContent = '';
    files.forEach(function (file) {
      var item = document.createElement('li');
      var name = document.createElement('span');
      name.className = 'name';
      name.textContent = file.name;
      var size = document.createElement('span');
      size.className = 'size';
      size.textContent = formatSize(file.size);
      item.append(name, size);
      list.append(item);
    });
    list.hidden = files.length === 0;
    el('files-empty').hidden = files.length > 0;
  }
  function enterSession(state) {
    var run = moveOn();
    var refreshing = false;
    setError('');
    setStatus('Connected to the session.');
    el('device-name-shown').textContent = state.device.name || defaultDeviceName();
    show('session-view');

    function render() {
      el('session-name').textContent = state.session.name || 'Untitled session';
      renderFiles(state.files || []);
    }
    function countdown() {
      if (run !== generation) return;
      var left = Date.parse(state.session.expiresAt) - serverNow();
      if (isNaN(left) || left <= 0) {
        ended('Session expired', 'The session has ended; its files are no longer available here.');
        return;
      }
      el('remaining').textContent = formatRemaining(left);
    }
    function statusEnded(status) {
      if (status === 'closed') {
        ended('This session was closed', 'Its owner ended it; its files are no longer available here.');
        return true;
      }
      if (status === 'expired') {
        ended('Session expired', 'The session has ended; its files are no longer available here.');
        return true;
      }
      return false;
    }
    function withToken(path) {
      return api('GET', path, undefined, state.accessToken);
    }
    // The token lasts until the session's expiry at claim time; after an extension, a fresh one.
    function renewToken() {
      var tokenEnd = Date.parse(state.tokenExpiresAt || '');
      var sessionEnd = Date.parse(state.session.expiresAt);
      if (isNaN(tokenEnd) || !(sessionEnd > tokenEnd + 1000)) return Promise.resolve();
      return api('POST', '/v1/devices/token', undefined, state.accessToken).then(
        function (res) {
          if (run !== generation) return;
          if ((res.status === 200 || res.status === 201) && res.body && res.body.accessToken) {
            state.accessToken = res.body.accessToken;
            state.tokenExpiresAt = res.body.expiresAt || state.session.expiresAt;
            save(state);
          }
        },
        function () {
          // Next refresh tries again.
        },
      );
    }
    function loadFiles() {
      var path = '/v1/sessions/' + encodeURIComponent(state.session.id) + '/files';
      return withToken(path).then(
        function (res) {
          if (run !== generation) return;
          if (res.status === 401) {
            disconnected();
            return;
          }
          if (res.status === 200 && res.body && Array.isArray(res.body.items)) {
            state.files = res.body.items.filter(function (file) {
              return !file.status || file.status === 'ready';
            });
          } else if (res.status === 404) {
            state.files = []; // no file listing (yet): nothing to show
          }
          save(state);
          render();
        },
        function () {
          render(); // offline: keep the last list
        },
      );
    }
    function refresh() {
      if (refreshing || run !== generation) return;
      refreshing = true;
      withToken('/v1/sessions/' + encodeURIComponent(state.session.id))
        .then(function (res) {
          if (run !== generation) return undefined;
          if (res.status === 401 || res.status === 404) {
            disconnected();
            return undefined;
          }
          if (res.status !== 200 || !res.body || !res.body.id) return undefined; // keep the last state
          state.session = res.body;
          save(state);
          render();
          countdown();
          if (statusEnded(res.body.status) || run !== generation) return undefined;
          return renewToken().then(loadFiles);
        })
        .catch(function () {
          // Offline for a moment: the countdown goes on, the next refresh catches up.
        })
        .finally(function () {
          refreshing = false;
        });
    }

    render();
    countdown();
    if (run !== generation) return;
    timers.push(setInterval(countdown, 1000));
    timers.push(setInterval(refresh, REFRESH_MS));
    refresh();
    document.addEventListener('visibilitychange', function () {
      if (!document.hidden && run === generation) {
        countdown();
        refresh();
      }
    });
  }

  // ---- start ----
  el('code-form').addEventListener('submit', function (event) {
    event.preventDefault();
    var input = el('code');
    var code = normalizeCode(input.value);
    if (!/^[A-Z]{8}$/.test(code)) {
      input.setAttribute('aria-invalid', 'true');
      setError('A pairing code has 8 letters, like BCDF-GHJK.');
      input.focus();
      return;
    }
    input.removeAttribute('aria-invalid');
    var name = el('device-name').value.trim();
    claim({ code: code }, name || defaultDeviceName());
  });

  function joinWithSecret(value) {
    forget(); // a new link replaces whatever this tab joined before
    if (/^[A-Za-z0-9_-]{16,256}$/.test(value)) {
      claim({ secret: value }, defaultDeviceName());
    } else {
      showCodeForm('This pairing link is incomplete. Scan the QR code again, or type the code here.');
    }
  }
  // A pairing link opened in a tab that already shows /pair only changes the fragment.
  window.addEventListener('hashchange', function () {
    var value = takeSecret();
    if (value !== null) joinWithSecret(value);
  });

  if (secret !== null) {
    joinWithSecret(secret);
  } else {
    var saved = load();
    if (saved && saved.kind === 'active' && saved.session && saved.accessToken) enterSession(saved);
    else if (saved && saved.kind === 'pending' && saved.pollSecret) waitForApproval(saved);
    else showCodeForm();
  }
})();
`;
