import { ApiError } from '../api/client';
import { userMessage } from '../api/messages';
import type { PollEnd } from './claim-flow';

/** A title and a sentence for a screen the phone cannot go on from. */
export interface Outcome {
  title: string;
  detail: string;
}

const ENDED = 'This session has ended';
const REMOVED = 'The session was closed or this device was removed.';

/** Why the device's view of the session ended; keys are the SSE `end` reasons and a refused token. */
export function endOutcome(reason: string): Outcome {
  switch (reason) {
    case 'device_rejected':
      return {
        title: 'The owner declined this device',
        detail: 'Ask them for a new QR code if that was a mistake.',
      };
    case 'session_closed':
      return { title: ENDED, detail: 'Its owner closed it.' };
    case 'session_expired':
      return { title: ENDED, detail: 'Its time ran out.' };
    case 'device_revoked':
      return { title: ENDED, detail: 'The owner removed this device from it.' };
    default:
      return { title: ENDED, detail: REMOVED };
  }
}

/** How a wait for approval ended without a token. */
export function pollOutcome(reason: PollEnd): Outcome {
  if (reason === 'declined') return endOutcome('device_rejected');
  if (reason === 'session_ended') return endOutcome('session_expired');
  return {
    title: 'Pairing expired',
    detail: 'The owner did not approve this device in time. Ask for a new QR code to try again.',
  };
}

export const INCOMPLETE_LINK =
  'This pairing link is incomplete. Scan the QR code again, or type the code here.';

/** What a failed claim means to the person holding the phone. */
export function claimError(error: unknown, byCode: boolean): string {
  if (error instanceof ApiError && error.status === 401) {
    return byCode
      ? 'That code did not work: it may be mistyped, already used or expired. Check it, or ask for a new one.'
      : 'This pairing link has already been used or has expired. Ask for a new QR code, or type a fresh code here.';
  }
  if (error instanceof ApiError && error.status === 400 && !byCode) {
    return 'This pairing link is damaged. Scan the QR code again, or type the code here.';
  }
  return userMessage(error);
}
