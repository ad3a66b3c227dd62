import type { EventRecord } from '@app/database';
// The activity item's mapper, so a frame's data is exactly an item of GET …/activity.
import { toActivityEventResponse } from '../sessions/index.js';

/** Why the server ended a stream: the `reason` of its last frame, `event: end`. */
export type EndReason =
  'session_closed' | 'session_expired' | 'device_revoked' | 'device_rejected' | 'shutdown';

/** What a client waits before reconnecting after a dropped stream (EventSource's `retry`). */
export const RETRY_MS = 3000;

/** The first frame: where the stream starts (its id is the cursor, so a resume without events keeps it). */
export const readyFrame = (sessionId: string, after: number): string =>
  `retry: ${String(RETRY_MS)}\nid: ${String(after)}\nevent: ready\ndata: ${JSON.stringify({ sessionId, after })}\n\n`;

/** One session event; data is exactly one item of GET …/activity. JSON has no raw newline. */
export const eventFrame = (event: EventRecord): string =>
  `id: ${String(event.seq)}\nevent: ${event.type}\ndata: ${JSON.stringify(toActivityEventResponse(event))}\n\n`;

export const HEARTBEAT_FRAME = ': heartbeat\n\n';

export const endFrame = (reason: EndReason): string =>
  `event: end\ndata: ${JSON.stringify({ reason })}\n\n`;

/** The end a delivered event means for a stream (of device `deviceId`, null for the owner). */
export function endOf(event: EventRecord, deviceId: string | null): EndReason | null {
  switch (event.type) {
    case 'session.closed':
      return 'session_closed';
    case 'session.expired':
      return 'session_expired';
    case 'device.revoked':
      return deviceId !== null && event.data.deviceId === deviceId ? 'device_revoked' : null;
    case 'device.rejected':
      return deviceId !== null && event.data.deviceId === deviceId ? 'device_rejected' : null;
    default:
      return null;
  }
}
