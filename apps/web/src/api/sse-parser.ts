/** One dispatched Server-Sent Events message (comments and retry-only blocks are not messages). */
export interface SseMessage {
  event: string;
  data: string;
  /** The `id:` field of this message, if it had one. */
  id?: string;
}

/**
 * An incremental text/event-stream parser (the WHATWG event-stream rules): feed it decoded
 * chunks in any split, get whole messages back. `retry` reports a `retry:` field.
 */
export class SseParser {
  private buffer = '';
  private event = '';
  private data: string[] = [];
  private id: string | undefined;

  constructor(private readonly retry: (ms: number) => void = () => undefined) {}

  push(chunk: string): SseMessage[] {
    this.buffer += chunk;
    const messages: SseMessage[] = [];
    for (;;) {
      const end = this.buffer.search(/\r\n|\r|\n/);
      if (end < 0) break;
      // A lone \r at the end of a chunk may be the first half of \r\n: wait for more.
      if (this.buffer[end] === '\r' && end === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, end);
      const newline = this.buffer.startsWith('\r\n', end) ? 2 : 1;
      this.buffer = this.buffer.slice(end + newline);
      const message = this.line(line);
      if (message !== null) messages.push(message);
    }
    return messages;
  }

  private line(line: string): SseMessage | null {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return null;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.event = value;
        break;
      case 'data':
        this.data.push(value);
        break;
      case 'id':
        if (!value.includes('\0')) this.id = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retry(Number(value));
        break;
      default:
        break;
    }
    return null;
  }

  private dispatch(): SseMessage | null {
    const { event, data, id } = this;
    this.event = '';
    this.data = [];
    this.id = undefined;
    if (data.length === 0 && id === undefined) return null;
    const message: SseMessage = { event: event === '' ? 'message' : event, data: data.join('\n') };
    if (id !== undefined) message.id = id;
    return message;
  }
}
