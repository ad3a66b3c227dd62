// One PUT of bytes straight to storage with XHR (fetch has no upload progress), sending exactly
// the headers the API signed, but those the browser sets itself and refuses from a page.
const BROWSER_SET = new Set(['content-length', 'host']);

export class PutError extends Error {
  constructor(
    /** 0: the connection dropped or the request was aborted. */
    readonly status: number,
    readonly body: string,
  ) {
    super(`storage answered ${String(status)}`);
  }
}

export function putBytes(
  url: string,
  headers: Record<string, string>,
  body: Blob,
  onProgress: (sent: number) => void,
  signal: AbortSignal,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    for (const [name, value] of Object.entries(headers)) {
      if (!BROWSER_SET.has(name.toLowerCase())) xhr.setRequestHeader(name, value);
    }
    xhr.upload.onprogress = (event) => onProgress(event.loaded);
    const abort = (): void => xhr.abort();
    signal.addEventListener('abort', abort, { once: true });
    xhr.onloadend = () => {
      signal.removeEventListener('abort', abort);
      // The bucket's CORS rules expose ETag; the API needs it only to match storage's own list.
      if (xhr.status >= 200 && xhr.status < 300) resolve(xhr.getResponseHeader('etag') ?? '');
      else reject(new PutError(xhr.status, xhr.responseText));
    };
    xhr.send(body);
  });
}
