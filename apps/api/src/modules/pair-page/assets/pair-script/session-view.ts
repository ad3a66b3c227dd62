// The session view: name, remaining time and files, kept fresh; token renewal.
// A part of the /pair page's script (see ../pair-script.ts): plain ES2020 text inside its IIFE.
export const SESSION_VIEW = `  // ---- the session view ----
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
`;
