// Drop zone and file picker, one row per upload with its progress, plus the uploads a reload
// interrupted ("Resume <name>: choose the file again"). The file input is the real control, so
// keyboards and screen readers use it as any other; dropping files is a shortcut for the mouse.
// On a phone, the same picker offers the camera.
import { useEffect, useRef, useState } from 'preact/hooks';
import { useFocusRescue } from '../ui/use-focus-rescue';
import type { Api } from '../api/client';
import { userMessage } from '../api/messages';
import type { FileItem } from '../api/types';
import { formatSize } from '../session/format';
import { PutError } from './put-bytes';
import { dropRecord, recordsOf, sameFile, type UploadRecord } from './resume-store';
import { UploadEnded, UploadJob, type Phase } from './upload-job';
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

  const picker = useRef<HTMLInputElement>(null);
  const zone = useRef<HTMLDivElement>(null);
  const rescue = useFocusRescue(() => picker.current);

  // Leaving the session view stops its uploads; their records stay, to resume later.
  useEffect(() => () => jobs.current.forEach((job) => job.stop()), []);

  // Files dropped anywhere on the page (just missing the zone) are uploaded, not opened in the
  // tab in place of the app.
  const addRef = useRef<(files: FileList | null) => void>(() => undefined);
  useEffect(() => {
    const carriesFiles = (event: DragEvent): boolean =>
      event.dataTransfer?.types.includes('Files') === true;
    const onDragOver = (event: DragEvent): void => {
      if (carriesFiles(event)) event.preventDefault();
    };
    const onDrop = (event: DragEvent): void => {
      if (!carriesFiles(event) || event.defaultPrevented) return;
      event.preventDefault();
      if (!(event.target instanceof Node && zone.current?.contains(event.target) === true)) {
        addRef.current(event.dataTransfer?.files ?? null);
      }
    };
    document.addEventListener('dragover', onDragOver);
    document.addEventListener('drop', onDrop);
    return () => {
      document.removeEventListener('dragover', onDragOver);
      document.removeEventListener('drop', onDrop);
    };
  }, []);

  // A reload or a closed tab stops the uploads under way: the browser asks first.
  const running = jobs.current.some((job) => job.running);
  useEffect(() => {
    if (!running) return undefined;
    const warn = (event: BeforeUnloadEvent): void => {
      event.preventDefault();
      event.returnValue = ''; // older browsers; the text is the browser's own
    };
    addEventListener('beforeunload', warn);
    return () => removeEventListener('beforeunload', warn);
  }, [running]);

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
  addRef.current = add;
  const cancel = (job: UploadJob): void => {
    rescue(job.key);
    void job.cancel();
    jobs.current = jobs.current.filter((j) => j !== job);
    redraw();
  };
  /** Only off the list: the upload is complete and the server is still checking it. */
  const dismiss = (job: UploadJob): void => {
    rescue(job.key);
    job.stop();
    jobs.current = jobs.current.filter((j) => j !== job);
    redraw();
  };
  const discard = (record: UploadRecord): void => {
    rescue(record.fileId);
    dropRecord(record.fileId);
    void api.del(`/v1/files/${record.fileId}`).catch(() => undefined);
    setWaiting((list) => list.filter((r) => r !== record));
  };

  return (
    <div
      ref={zone}
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
          ref={picker}
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
            <li key={record.fileId} data-row={record.fileId}>
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
          {jobs.current.map((job) => (
            <JobRow
              key={job.key}
              job={job}
              onCancel={() => (job.state.phase === 'checking' ? dismiss(job) : cancel(job))}
              onRetry={() => {
                rescue(job.key);
                job.start();
              }}
            />
          ))}
        </ul>
      )}
    </div>
  );
}

/** What the row's live region says: the phase only (the percentage would be read 10× a second). */
const PHASE_WORDS: Record<Phase, string> = {
  hashing: 'preparing',
  uploading: 'uploading',
  verifying: 'verifying',
  checking: 'still verifying on the server',
  ready: 'ready',
  failed: 'failed',
};

interface JobRowProps {
  job: UploadJob;
  onCancel: () => void;
  onRetry: () => void;
}

function JobRow({ job, onCancel, onRetry }: JobRowProps) {
  const { state, file } = job;
  const failed = state.phase === 'failed';
  const canCancel = job.running || (failed && state.retryable);
  const canDismiss = (failed && !state.retryable) || state.phase === 'checking';
  return (
    <li data-row={job.key}>
      <span class="upload-name">{file.name}</span>
      <span class="upload-size">{formatSize(file.size)}</span>
      <progress aria-label={file.name} max={1} value={state.fraction} />
      <span class="upload-text">{state.text}</span>
      <span class="visually-hidden" aria-live="polite">
        {`${file.name}: ${PHASE_WORDS[state.phase]}`}
      </span>
      {failed && (
        <p role="alert" class="alert">
          {failureMessage(state.error)}
        </p>
      )}
      {failed && state.retryable && (
        <button type="button" onClick={onRetry} aria-label={`Retry ${file.name}`}>
          Retry
        </button>
      )}
      {canCancel && (
        <button type="button" onClick={onCancel} aria-label={`Cancel ${file.name}`}>
          Cancel
        </button>
      )}
      {canDismiss && (
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
