import { useEffect } from 'preact/hooks';
import { ApiError, type Api } from '../api/client';
import type { DeviceToken } from '../api/types';
import { UploadPanel } from '../upload/upload-panel';
import { ErrorAlert } from '../ui/error-alert';
import { Countdown } from '../session/countdown';
import { FilesList } from '../session/files-list';
import { useFocusOnMount } from '../session/use-focus';
import { useSessionData } from '../session/use-session-data';
import { LiveIndicator, useLive } from '../session/use-live';
import type { ActiveDevice } from './device-store';

// Renew the token this long before it expires (it never outlives the session's expiry at issue;
// after the owner extends the session, POST /v1/devices/token reaches the new expiry).
const RENEW_BEFORE_MS = 60_000;
// Longer than the server's tail interval (250 ms by default) plus a reconnect.
const REFUSED_GRACE_MS = 1500;

interface DeviceSessionProps {
  api: Api;
  device: ActiveDevice;
  /** A renewed token, to keep. */
  onToken: (token: DeviceToken) => void;
  onEnded: (reason: string) => void;
}

/** The phone's view of the session it joined. */
export function DeviceSession({ api, device, onToken, onEnded }: DeviceSessionProps) {
  const data = useSessionData(api, device.sessionId, false);
  const { session } = data;
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const active = session?.status === 'active';

  const live = useLive(api, device.sessionId, {
    enabled: active,
    refetch: (parts) => data.refetch(parts),
    onEnd: onEnded,
  });

  // A refused token (revoked, session closed or expired) ends the view.
  const refused = data.error instanceof ApiError && data.error.status === 401;
  const ended = session !== null && session.status !== 'active';
  // A read refused just as the owner revoked the device or closed the session usually comes
  // moments before the stream's end frame, which names the reason: wait for it a little before
  // falling back to the general message (the view unmounts, and the timer goes, when it comes).
  useEffect(() => {
    if (refused) {
      const timer = setTimeout(() => onEnded('refused'), REFUSED_GRACE_MS);
      return () => clearTimeout(timer);
    }
    if (ended) onEnded(session.status === 'closed' ? 'session_closed' : 'session_expired');
    return undefined;
  }, [refused, ended]);

  // A fresh token before this one runs out, and at once after the session was extended.
  const sessionEnd = session === null ? NaN : Date.parse(session.expiresAt);
  useEffect(() => {
    const tokenEnd = Date.parse(device.expiresAt);
    const renew = async (): Promise<void> => {
      try {
        onToken(await api.post<DeviceToken>('/v1/devices/token'));
      } catch {
        // The next session read says whether the device may still act.
      }
    };
    if (sessionEnd > tokenEnd + 1000) {
      void renew();
      return undefined;
    }
    const timer = setTimeout(
      () => void renew(),
      Math.max(0, tokenEnd - api.now() - RENEW_BEFORE_MS),
    );
    return () => clearTimeout(timer);
  }, [device.expiresAt, sessionEnd]);

  const permissions = session?.guestPermissions ?? [];
  const refetchFiles = (): void => data.refetch(['files']);
  return (
    <div class="device-session">
      <header class="session-head">
        <h1 ref={heading} tabIndex={-1}>
          {session?.name ?? 'Joined the session'}
        </h1>
        {session !== null && (
          <Countdown
            until={session.expiresAt}
            label="Ends in"
            over="Ending…"
            onOver={() => data.refetch(['session'])}
          />
        )}
        <LiveIndicator status={live} />
        {device.deviceName !== undefined && (
          <p class="device-self">This device: {device.deviceName}</p>
        )}
      </header>
      {!refused && <ErrorAlert error={data.error} />}
      {active && permissions.includes('upload') && (
        <section class="panel upload" aria-labelledby="upload-heading">
          <h2 id="upload-heading">Upload</h2>
          <UploadPanel api={api} sessionId={device.sessionId} onUploaded={refetchFiles} />
        </section>
      )}
      {session !== null && (
        <FilesList
          api={api}
          files={data.files}
          canDownload={permissions.includes('download')}
          canDelete={permissions.includes('delete')}
          onChanged={refetchFiles}
        />
      )}
    </div>
  );
}
