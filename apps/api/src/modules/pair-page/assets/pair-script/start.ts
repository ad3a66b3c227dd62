// Wiring: the code form, a new fragment, and what the page does on load.
// A part of the /pair page's script (see ../pair-script.ts): plain ES2020 text inside its IIFE.
export const START = `  // ---- start ----
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
`;
