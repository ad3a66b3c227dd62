// Phone first: one column that fits 320 px, system fonts, nothing loaded from elsewhere.
export const PAIR_CSS = `*, *::before, *::after { box-sizing: border-box; }
[hidden] { display: none !important; }
:root {
  --bg: #f5f6f8; --fg: #16181d; --muted: #5b6270; --card: #ffffff; --line: #d9dce3;
  --accent: #1f5fd1; --accent-fg: #ffffff; --error-bg: #fdecec; --error-fg: #8a1111;
  color-scheme: light dark;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #111318; --fg: #eceef2; --muted: #a4abb8; --card: #1b1e25; --line: #333845;
    --accent: #6d9cff; --accent-fg: #0b1020; --error-bg: #3a1618; --error-fg: #ffc9c9;
  }
}
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body {
  margin: 0; background: var(--bg); color: var(--fg);
  font: 1rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
}
main { width: 100%; max-width: 32rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.25rem; margin: 0.25rem 0 1rem; color: var(--muted); font-weight: 600; }
h2 { font-size: 1.375rem; margin: 0 0 0.75rem; line-height: 1.25; }
h3 { font-size: 1rem; margin: 1.25rem 0 0.5rem; }
h2, h3, p, dd, li { overflow-wrap: anywhere; }
.card {
  background: var(--card); border: 1px solid var(--line); border-radius: 0.75rem;
  padding: 1rem; margin: 0 0 1rem;
}
.status { margin: 0 0 1rem; }
.status:empty { display: none; }
.error {
  background: var(--error-bg); color: var(--error-fg); border-radius: 0.5rem;
  padding: 0.75rem 1rem; margin: 0 0 1rem;
}
.hint { color: var(--muted); margin: 0.25rem 0 1rem; font-size: 0.9375rem; }
.label { color: var(--muted); margin: 0; font-size: 0.875rem; text-transform: uppercase; letter-spacing: 0.04em; }
.optional { color: var(--muted); font-weight: normal; }
label { display: block; font-weight: 600; margin: 0 0 0.25rem; }
input {
  display: block; width: 100%; min-height: 2.75rem; padding: 0.5rem 0.75rem;
  font: inherit; color: inherit; background: var(--bg);
  border: 1px solid var(--line); border-radius: 0.5rem;
}
#code { font-size: 1.375rem; letter-spacing: 0.15em; text-transform: uppercase; font-family: ui-monospace, monospace; }
input:focus-visible, button:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
button {
  display: block; width: 100%; min-height: 2.75rem; padding: 0.5rem 1rem;
  font: inherit; font-weight: 600; color: var(--accent-fg); background: var(--accent);
  border: 0; border-radius: 0.5rem; cursor: pointer;
}
button:disabled { opacity: 0.6; cursor: progress; }
.facts { display: grid; grid-template-columns: 1fr 1fr; gap: 0.75rem; margin: 0; }
.facts div { min-width: 0; }
.facts dt { color: var(--muted); font-size: 0.875rem; }
.facts dd { margin: 0; font-weight: 600; }
#remaining { font-variant-numeric: tabular-nums; font-size: 1.25rem; }
.files { list-style: none; margin: 0; padding: 0; }
.files li {
  display: flex; justify-content: space-between; gap: 0.75rem;
  padding: 0.5rem 0; border-top: 1px solid var(--line);
}
.files .name { min-width: 0; overflow-wrap: anywhere; }
.files .size { color: var(--muted); white-space: nowrap; font-variant-numeric: tabular-nums; }
.spinner {
  width: 2.5rem; height: 2.5rem; margin: 0 0 1rem; border-radius: 50%;
  border: 4px solid var(--line); border-top-color: var(--accent);
  animation: spin 1s linear infinite;
}
@keyframes spin { to { transform: rotate(360deg); } }
@media (prefers-reduced-motion: reduce) { .spinner { animation: none; } }
`;
