import { PAIR_PAGE_PATHS } from '../pair-page.paths.js';

// The page a phone camera opens from a pairing QR code. Static markup only: the script shows
// one view at a time and fills it with text (never HTML). No inline script or style (the CSP
// allows neither); the empty data: icon keeps the browser from asking for /favicon.ico.
export const PAIR_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="referrer" content="no-referrer">
    <meta name="robots" content="noindex, nofollow">
    <meta name="color-scheme" content="light dark">
    <title>Join a session · Sharexpress</title>
    <link rel="icon" href="data:,">
    <link rel="stylesheet" href="${PAIR_PAGE_PATHS.stylesheet}">
    <script src="${PAIR_PAGE_PATHS.script}" defer></script>
  </head>
  <body>
    <main id="app" aria-busy="true">
      <h1>Sharexpress</h1>
      <p id="status" class="status" role="status" aria-live="polite">Loading…</p>
      <p id="error" class="error" role="alert" hidden></p>
      <noscript><p class="error">This page needs JavaScript to join the session.</p></noscript>

      <form id="code-form" class="card" hidden novalidate>
        <h2>Join with a code</h2>
        <p class="hint">Type the code shown on the other device next to its QR code.</p>
        <label for="code">Pairing code</label>
        <input id="code" name="code" type="text" required maxlength="20"
          placeholder="XXXX-XXXX" autocomplete="one-time-code" autocapitalize="characters"
          autocorrect="off" spellcheck="false" aria-describedby="code-help">
        <p id="code-help" class="hint">8 letters, for example BCDF-GHJK.</p>
        <label for="device-name">Name of this device <span class="optional">(optional)</span></label>
        <input id="device-name" name="deviceName" type="text" maxlength="60"
          autocomplete="off" aria-describedby="device-name-help">
        <p id="device-name-help" class="hint">The session's owner sees it before letting you in.</p>
        <button id="code-submit" type="submit">Join</button>
      </form>

      <section id="retry-view" class="card" hidden>
        <button id="retry" type="button">Try again</button>
      </section>

      <section id="waiting-view" class="card" hidden aria-labelledby="waiting-title">
        <div class="spinner" aria-hidden="true"></div>
        <h2 id="waiting-title">Waiting for approval on the other device…</h2>
        <p class="hint">The session's owner has to let <strong id="waiting-device"></strong> in.
          Keep this page open.</p>
      </section>

      <section id="session-view" class="card" hidden aria-labelledby="session-name">
        <p class="label">Session</p>
        <h2 id="session-name"></h2>
        <dl class="facts">
          <div>
            <dt>Time left</dt>
            <dd><span id="remaining" role="timer" aria-atomic="true"></span></dd>
          </div>
          <div>
            <dt>This device</dt>
            <dd id="device-name-shown"></dd>
          </div>
        </dl>
        <h3>Files</h3>
        <p id="files-empty" class="hint">No files yet</p>
        <ul id="files" class="files" hidden></ul>
      </section>

      <section id="ended-view" class="card" hidden aria-labelledby="ended-title">
        <h2 id="ended-title"></h2>
        <p id="ended-detail" class="hint"></p>
      </section>
    </main>
  </body>
</html>
`;
