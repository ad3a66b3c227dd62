// What `send` does with the session's live events: every one as a --json `live` line; devices
// (waiting, joined, approved, rejected, gone) and downloads as sentences; a claimed pairing
// replaced; with --approve, a question per waiting device, one at a time.
import type { Client } from '../core/client.ts';
import type { Output } from '../core/output.ts';
import type { SessionEvent } from '../core/sse.ts';
import { downloadedText, isYes } from './describe.ts';

export interface LiveOptions {
  client: Client;
  out: Output;
  sessionId: string;
  approve: boolean;
  /** fileId → name, of the files this send uploaded. */
  files: Map<string, string>;
  maxDownloads: number | null;
  ask(question: string): Promise<string | null>;
  /** The pairing was used: show a new one (resolves once it is shown). */
  renewPairing(): Promise<void>;
}

interface Device {
  id: string;
  name: string;
  status: string;
}

export class LiveFollower {
  private readonly o: LiveOptions;
  private readonly devices = new Map<string, Device>();
  private questions: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(options: LiveOptions) {
    this.o = options;
  }

  stop(): void {
    this.stopped = true;
  }

  handle(e: SessionEvent): void {
    const { out } = this.o;
    out.event({ event: 'live', type: e.type, seq: e.seq, data: e.data });
    const d = e.data;
    const id = typeof d.deviceId === 'string' ? d.deviceId : '';
    switch (e.type) {
      case 'device.claimed': {
        const status = typeof d.status === 'string' ? d.status : 'active';
        const device = { id, name: typeof d.name === 'string' ? d.name : 'A device', status };
        this.devices.set(id, device);
        const renewed = this.o.renewPairing();
        if (status === 'pending') {
          this.device('waiting', device, `${device.name} is waiting for approval.`);
          // Asked once the new pairing is shown, so the question is the last line on screen.
          if (this.o.approve) this.queueQuestion(device, renewed);
        } else {
          this.device('joined', device, `${device.name} joined.`);
        }
        return;
      }
      case 'device.approved':
        this.device('approved', this.known(id, 'active'), `${this.known(id).name} was approved.`);
        return;
      case 'device.rejected':
        this.device('rejected', this.known(id, 'rejected'), `${this.known(id).name} was rejected.`);
        return;
      case 'device.revoked': {
        const why = d.reason === 'stopped_waiting' ? 'stopped waiting' : 'was removed';
        this.known(id, 'revoked');
        out.info(`${this.known(id).name} ${why}.`);
        return;
      }
      case 'file.downloaded': {
        const fileId = typeof d.fileId === 'string' ? d.fileId : '';
        const name = this.o.files.get(fileId) ?? 'A file';
        const downloads = typeof d.downloads === 'number' ? d.downloads : null;
        const max = this.o.maxDownloads;
        const left = downloads === null || max === null ? null : Math.max(0, max - downloads);
        const by = id !== '' ? (this.devices.get(id)?.name ?? null) : null;
        out.info(downloadedText(name, left, by));
        return;
      }
      case 'file.ready':
        if (typeof d.name === 'string') out.info(`${d.name} is ready to download.`);
        return;
      case 'file.rejected':
        out.info(
          `${this.o.files.get(String(d.fileId)) ?? 'A file'} was rejected by the server (${String(d.reason)}).`,
        );
        return;
      case 'session.extended':
        if (typeof d.expiresAt === 'string')
          out.info(`The session now ends at ${new Date(d.expiresAt).toLocaleString()}.`);
        return;
      default:
        return;
    }
  }

  private known(id: string, status?: string): Device {
    const device = this.devices.get(id) ?? { id, name: 'A device', status: 'unknown' };
    if (status !== undefined) device.status = status;
    this.devices.set(id, device);
    return device;
  }

  private device(action: string, device: Device, text: string): void {
    this.o.out.event({ event: 'device', action, device: { ...device } });
    this.o.out.info(text);
  }

  private queueQuestion(device: Device, after: Promise<void>): void {
    this.questions = this.questions
      .then(() => after)
      .then(() => this.decide(device))
      .catch((error: unknown) => {
        this.o.out.info(`Could not decide on ${device.name}: ${(error as Error).message}`);
      });
  }

  private async decide(device: Device): Promise<void> {
    if (this.stopped || this.devices.get(device.id)?.status !== 'pending') return;
    const answer = await this.o.ask(`Approve ${device.name}? [y/N] `);
    // End of input: the device goes on waiting (approve it elsewhere, or it times out).
    if (answer === null || this.stopped) return;
    if (this.devices.get(device.id)?.status !== 'pending') return;
    const verb = isYes(answer) ? 'approve' : 'reject';
    await this.o.client.request(
      'POST',
      `/v1/sessions/${this.o.sessionId}/devices/${device.id}/${verb}`,
    );
  }
}
