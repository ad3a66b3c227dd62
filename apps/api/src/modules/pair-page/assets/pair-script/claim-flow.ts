// Claiming by secret or code, and waiting for approval (RFC 8628 polling).
// A part of the /pair page's script (see ../pair-script.ts): plain ES2020 text inside its IIFE.
export const CLAIM_FLOW = `  // ---- claiming ----
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
`;
