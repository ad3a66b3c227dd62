import { useRef, useState } from 'preact/hooks';
import type { Api } from '../api/client';
import type { DownloadGrant, FileItem } from '../api/types';
import { ErrorAlert } from '../ui/error-alert';
import { useFocusRescue } from '../ui/use-focus-rescue';
import { downloadsLeft, formatSize } from './format';

interface FilesListProps {
  api: Api;
  files: readonly FileItem[];
  /** The caller may download (the owner, or a device with `download`). */
  canDownload: boolean;
  /** The caller may delete (the owner, or a device with `delete`). */
  canDelete: boolean;
  /** A file changed (downloaded, deleted): read the list again. */
  onChanged: () => void;
}

/**
 * Hands a presigned storage URL to the browser; its Content-Disposition makes it a download.
 * In a new browsing context (cross-origin, the link's `download` attribute is ignored and the
 * tab would navigate): a storage error (403, unreachable) then shows there, and this page with
 * its live view and uploads stays. Not an iframe: the page's CSP (default-src 'none') blocks it.
 */
function startDownload(url: string): void {
  const link = document.createElement('a');
  link.href = url;
  link.target = '_blank';
  link.rel = 'noopener noreferrer';
  document.body.append(link);
  link.click();
  link.remove();
}

/** The "Files" region, shared by the desktop and the phone. */
export function FilesList({ api, files, canDownload, canDelete, onChanged }: FilesListProps) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const rescue = useFocusRescue(() => heading.current, busy !== null);

  const act = async (fileId: string, action: () => Promise<void>): Promise<void> => {
    rescue(fileId);
    setBusy(fileId);
    setError(null);
    try {
      await action();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(null);
      onChanged();
    }
  };
  const download = (file: FileItem) =>
    act(file.id, async () => {
      const grant = await api.post<DownloadGrant>(
        `/v1/files/${encodeURIComponent(file.id)}/downloads`,
      );
      startDownload(grant.url);
    });
  const remove = (file: FileItem) =>
    act(file.id, () => api.del(`/v1/files/${encodeURIComponent(file.id)}`));

  return (
    <section class="panel files" aria-labelledby="files-heading">
      <h2 id="files-heading" ref={heading} tabIndex={-1}>
        Files
      </h2>
      <ErrorAlert error={error} />
      {files.length === 0 ? (
        <p class="muted">No files yet.</p>
      ) : (
        <ul class="item-list">
          {files.map((file) => {
            const left = file.maxDownloads - file.downloads;
            return (
              <li key={file.id} class="item" data-row={file.id}>
                <span class="item-main">
                  <span class="item-name">{file.name}</span>
                  <span class="item-meta">
                    {formatSize(file.size)} ·{' '}
                    <span class={`badge badge-${file.status}`}>{file.status}</span>
                    {file.status === 'ready' ? ` · ${downloadsLeft(left)}` : ''}
                  </span>
                </span>
                <span class="item-actions">
                  {canDownload && file.status === 'ready' && (
                    <button
                      type="button"
                      aria-label={`Download ${file.name}`}
                      disabled={busy === file.id || left <= 0}
                      onClick={() => void download(file)}
                    >
                      Download
                    </button>
                  )}
                  {canDelete && (
                    <button
                      type="button"
                      class="danger"
                      aria-label={`Delete ${file.name}`}
                      disabled={busy === file.id}
                      onClick={() => void remove(file)}
                    >
                      Delete
                    </button>
                  )}
                </span>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
