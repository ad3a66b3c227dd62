// Drop zone and file picker, one row per upload with its progress, plus the uploads a reload
// interrupted ("Resume <name>: choose the file again"). The file input is the real control, so
// keyboards and screen readers use it as any other; dropping files is a shortcut for the mouse.
// On a phone, the same picker offers the camera.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Api } from '../api/client';
import { userMessage } from '../api/messages';
import type { FileItem } from '../api/types';
import { formatSize } from '../session/format';
import { PutError } from './put-bytes';
import { dropRecord, recordsOf, sameFile, type UploadRecord } from './resume-store';
import { UploadEnded, UploadJob } from './upload-job';
import './upload.css';

export interface UploadPanelProps {
  api: Api;
  sessionId: string;
  onUploaded: (file: FileItem) => void;
}

export function UploadPanel({ api, sessionId, onUploaded }: UploadPanelProps) {
  const jobs = useRef<UploadJob[]>([]);
  const [, setTick] = useState(0);
  const redraw = (): void => setTick((n) => n + 1);
  const [waiting, setWaiting] = useState<UploadRecord[]>(() => recordsOf(sessionId));
  const [dragging, setDragging] = useState(false);
  const uploaded = useRef(onUploaded);
  uploaded.current = onUploaded;

  // Leaving the session view stops its uploads; their records stay, to resume later.
  useEffect(() => () => jobs.current.forEach((job) => job.stop()), []);

  const add = (files: FileList | null): void => {
    if (files === null) return;
    let left = waiting;
    for (const file of Array.from(files)) {
      const record = left.find((r) => sameFile(r, file)) ?? null;
      if (record !== null) left = left.filter((r) => r !== record);
      const job = new UploadJob(api, sessionId, file, record, redraw, (item) =>
        uploaded.current(item),
      );
      jobs.current = [...jobs.current, job];
      job.start();
    }
    setWaiting(left);
    redraw();
  };
  const cancel = (job: UploadJob): void => {
    void job.cancel();
    jobs.current = jobs.current.filter((j) => j !== job);
    redraw();
  };
  const discard = (record: UploadRecord): void => {
    dropRecord(record.fileId);
    void api.del(`/v1/files/${record.fileId}`).catch(() => undefined);
    setWaiting((list) => list.filter((r) => r !== record));
  };

  return (
    <div
      class={dragging ? 'upload-drop dragging' : 'upload-drop'}
      onDragOver={(event) => {
        event.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(event) => {
        event.preventDefault();
        setDragging(false);
        add(event.dataTransfer?.files ?? null);
      }}
    >
      <label class="upload-pick">
        <span>Choose files</span>
        <input
          type="file"
          multiple
          onChange={(event) => {
            const input = event.currentTarget;
            add(input.files);
            input.value = ''; // the same file can be chosen again
          }}
        />
      </label>
      <p class="upload-hint">or drop them here</p>
      {waiting.length + jobs.current.length > 0 && (
        <ul class="upload-rows">
          {waiting.map((record) => (
            <li key={record.fileId}>
              <span class="upload-name">{record.name}</span>
              <span class="upload-size">{formatSize(record.size)}</span>
              <progress aria-label={record.name} max={1} value={resumedFraction(record)} />
              <span class="upload-text">Resume {record.name}: choose the file again</span>
              <button
                type="button"
                onClick={() => discard(record)}
                aria-label={`Cancel ${record.name}`}
              >
                Cancel
              </button>
            </li>
          ))}
          {jobs.current.map((job, index) => (
            <JobRow
              key={`${String(index)}-${job.file.name}`}
              job={job}
              onCancel={() => cancel(job)}
            />
          ))}
        </ul>
      )}
    </div>
  );
}

function JobRow({ job, onCancel }: { job: UploadJob; onCancel: () => void }) {
  const { state, file } = job;
  const active = state.phase !== 'ready' && state.phase !== 'failed';
  return (
    <li>
      <span class="upload-name">{file.name}</span>
      <span class="upload-size">{formatSize(file.size)}</span>
      <progress aria-label={file.name} max={1} value={state.fraction} />
      <span class="upload-text" aria-live="polite">
        {state.text}
      </span>
      {state.phase === 'failed' && (
        <p role="alert" class="alert">
          {failureMessage(state.error)}
        </p>
      )}
      {state.phase === 'failed' && state.retryable && (
        <button type="button" onClick={() => job.start()} aria-label={`Retry ${file.name}`}>
          Retry
        </button>
      )}
      {(active || (state.phase === 'failed' && state.retryable)) && (
        <button type="button" onClick={onCancel} aria-label={`Cancel ${file.name}`}>
          Cancel
        </button>
      )}
      {state.phase === 'failed' && !state.retryable && (
        <button type="button" onClick={onCancel} aria-label={`Dismiss ${file.name}`}>
          Dismiss
        </button>
      )}
    </li>
  );
}

function failureMessage(error: unknown): string {
  if (error instanceof UploadEnded) return error.message;
  if (error instanceof PutError) {
    if (error.status === 0)
      return 'The connection to storage dropped. Retry when you are back online.';
    if (error.status === 400) return 'The file changed while it was uploading. Choose it again.';
    return `Storage refused the upload (${String(error.status)}). Try again.`;
  }
  return userMessage(error);
}

function resumedFraction(record: UploadRecord): number {
  if (record.partSize === 0 || record.size === 0) return 0;
  return Math.min(1, (Object.keys(record.done).length * record.partSize) / record.size);
}
