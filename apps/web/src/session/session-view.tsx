import { useEffect, useRef, useState } from 'preact/hooks';
import type { Api } from '../api/client';
import { UploadPanel } from '../upload/upload-panel';
import { ErrorAlert } from '../ui/error-alert';
import { CloseSession } from './close-session';
import { Countdown } from './countdown';
import { DevicesList } from './devices-list';
import { FilesList } from './files-list';
import { PairingPanel } from './pairing-panel';
import { useSessionData } from './use-session-data';
import { LiveIndicator, useLive } from './use-live';

const ENDED_TEXT = {
  closed: 'You closed it; devices no longer have access and its files are being removed.',
  expired: 'Its time ran out; devices no longer have access and its files are being removed.',
};

/** The owner's view of one session (#/s/<id>). */
export function SessionView({ api, sessionId }: { api: Api; sessionId: string }) {
  const data = useSessionData(api, sessionId, true);
  const { session } = data;
  const [claims, setClaims] = useState(0);
  const heading = useRef<HTMLHeadingElement>(null);
  const active = session?.status === 'active';

  const live = useLive(api, sessionId, {
    enabled: active,
    refetch: (parts) => data.refetch(parts),
    onEvent: (event) => {
      if (event.type === 'device.claimed') setClaims((n) => n + 1);
    },
    onEnd: () => data.refetch(['session', 'devices', 'files']),
  });

  // Focus moves to the new view's heading once it has one.
  const loaded = session !== null;
  useEffect(() => {
    if (loaded) heading.current?.focus();
  }, [loaded]);

  if (session === null) {
    return (
      <div class="session-view">
        <p>
          <a href="#/">← All sessions</a>
        </p>
        {data.error === null ? <p>Loading the session…</p> : <ErrorAlert error={data.error} />}
      </div>
    );
  }

  const refetchFiles = (): void => data.refetch(['files', 'session']);
  return (
    <div class="session-view">
      <p>
        <a href="#/">← All sessions</a>
      </p>
      <header class="session-head">
        <h1 ref={heading} tabIndex={-1}>
          {session.name}
        </h1>
        {active ? (
          <>
            <Countdown
              until={session.expiresAt}
              label="Ends in"
              over="Ending…"
              onOver={() => data.refetch(['session'])}
            />
            <LiveIndicator status={live} />
          </>
        ) : (
          <div class="ended" role="status">
            <p class="ended-title">This session has ended</p>
            <p class="muted">{ENDED_TEXT[session.status === 'closed' ? 'closed' : 'expired']}</p>
          </div>
        )}
      </header>
      <ErrorAlert error={data.error} />
      <div class="session-grid">
        {active && <PairingPanel api={api} sessionId={sessionId} claims={claims} />}
        <DevicesList
          api={api}
          sessionId={sessionId}
          devices={data.devices}
          active={active}
          onChanged={() => data.refetch(['devices', 'session'])}
        />
        {active && (
          <section class="panel upload" aria-labelledby="upload-heading">
            <h2 id="upload-heading">Upload</h2>
            <UploadPanel api={api} sessionId={sessionId} onUploaded={refetchFiles} />
          </section>
        )}
        <FilesList
          api={api}
          files={data.files}
          canDownload={active}
          canDelete={active}
          onChanged={refetchFiles}
        />
      </div>
      {active && (
        <CloseSession api={api} sessionId={sessionId} onClosed={() => data.refetch(['session'])} />
      )}
    </div>
  );
}
