import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { Api } from '../api/client';
import type { Device, FileItem, Session } from '../api/types';
import { listAll } from './list-all';
import type { Part } from './use-live';

export interface SessionData {
  session: Session | null;
  devices: Device[];
  files: FileItem[];
  /** The last failed read (null once a read succeeds again). */
  error: unknown;
  /** Reads the given parts again; concurrent reads of one part collapse into one. */
  refetch: (parts: Iterable<Part>) => void;
}

/**
 * The session, its devices (owner only: `withDevices`) and its files, read on mount and
 * again whenever refetch() asks.
 */
export function useSessionData(api: Api, sessionId: string, withDevices: boolean): SessionData {
  const [session, setSession] = useState<Session | null>(null);
  const [devices, setDevices] = useState<Device[]>([]);
  const [files, setFiles] = useState<FileItem[]>([]);
  const [error, setError] = useState<unknown>(null);
  const inFlight = useRef(new Map<Part, { again: boolean }>());
  const alive = useRef(true);

  const read = useCallback(
    async (part: Part): Promise<void> => {
      const base = `/v1/sessions/${encodeURIComponent(sessionId)}`;
      if (part === 'session') setSession(await api.get<Session>(base));
      else if (part === 'devices') setDevices(await listAll<Device>(api, `${base}/devices`));
      else
        setFiles(
          (await listAll<FileItem>(api, `${base}/files`)).filter((f) => f.status !== 'deleted'),
        );
    },
    [api, sessionId],
  );

  const refetch = useCallback(
    (parts: Iterable<Part>): void => {
      for (const part of parts) {
        if (part === 'devices' && !withDevices) continue;
        const running = inFlight.current.get(part);
        if (running !== undefined) {
          running.again = true; // read once more when this one is done: it may predate the change
          continue;
        }
        const state = { again: false };
        inFlight.current.set(part, state);
        const run = async (): Promise<void> => {
          do {
            state.again = false;
            try {
              await read(part);
              if (alive.current) setError(null);
            } catch (caught) {
              if (alive.current) setError(caught);
            }
          } while (state.again && alive.current);
          inFlight.current.delete(part);
        };
        void run();
      }
    },
    [read, withDevices],
  );

  useEffect(() => {
    alive.current = true;
    setSession(null);
    setDevices([]);
    setFiles([]);
    refetch(['session', 'devices', 'files']);
    return () => {
      alive.current = false;
    };
  }, [refetch]);

  return { session, devices, files, error, refetch };
}
