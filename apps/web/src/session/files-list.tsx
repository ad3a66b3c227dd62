import { useState } from 'preact/hooks';
import type { Api } from '../api/client';
import type { DownloadGrant, FileItem } from '../api/types';
import { ErrorAlert } from '../ui/error-alert';
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

/** Hands a presigned storage URL to the browser; its Content-Disposition makes it a download. */
function startDownload(url: string): void {
  const link = document.createElement('a');
  link.href = url;
  link.download = '';
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
}

/** The "Files" region, shared by the desktop and the phone. */
export function FilesList({ api, files, canDownload, canDelete, onChanged }: FilesListProps) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const act = async (fileId: string, action: () => Promise<void>): Promise<void> => {
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
      <h2 id="files-heading">Files</h2>
      <ErrorAlert error={error} />
      {files.length === 0 ? (
        <p class="muted">No files yet.</p>
      ) : (
        <ul class="item-list">
          {files.map((file) => {
            const left = file.maxDownloads - file.downloads;
            return (
              <li key={file.id} class="item">
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
