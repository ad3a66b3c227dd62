// The owner's side of the /pair browser test, over plain HTTP: a session, a pairing, devices.
import assert from 'node:assert/strict';
import { signUp } from '../e2e/auth/auth-client.js';
import type { Device, Pairing } from '../e2e/pairing/pairing-client.js';

export class Owner {
  private constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  static async signUp(baseUrl: string): Promise<Owner> {
    return new Owner(baseUrl, (await signUp(baseUrl)).accessToken);
  }

  async call(method: string, path: string, body?: unknown): Promise<Response> {
    return fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  private async json<T>(method: string, path: string, status: number, body?: unknown): Promise<T> {
    const res = await this.call(method, path, body);
    const text = await res.text();
    assert.equal(res.status, status, `${method} ${path}: ${text}`);
    return JSON.parse(text) as T;
  }

  createSession(body: Record<string, unknown>): Promise<{ id: string; name: string }> {
    return this.json('POST', '/v1/sessions', 201, body);
  }

  /**
   * A pairing whose URL points at this app: config.publicUrl is not the test app's port (it
   * listens on port 0), so the origin is swapped for `baseUrl`, keeping path and fragment.
   */
  async createPairing(sessionId: string): Promise<Pairing & { secret: string }> {
    const pairing = await this.json<Pairing>('POST', `/v1/sessions/${sessionId}/pairings`, 201, {});
    const url = new URL(pairing.pairingUrl);
    assert.equal(url.pathname, '/pair');
    const secret = url.hash.slice(1);
    assert.ok(secret.length >= 22, `a secret in the fragment of ${pairing.pairingUrl}`);
    return { ...pairing, secret, pairingUrl: `${this.baseUrl}${url.pathname}${url.hash}` };
  }

  async devices(sessionId: string): Promise<Device[]> {
    const body = await this.json<{ items: Device[] }>(
      'GET',
      `/v1/sessions/${sessionId}/devices`,
      200,
    );
    return body.items;
  }

  decide(sessionId: string, deviceId: string, verdict: 'approve' | 'reject'): Promise<Device> {
    return this.json('POST', `/v1/sessions/${sessionId}/devices/${deviceId}/${verdict}`, 200);
  }

  async revoke(sessionId: string, deviceId: string): Promise<void> {
    const res = await this.call('DELETE', `/v1/sessions/${sessionId}/devices/${deviceId}`);
    assert.equal(res.status, 204, await res.text());
  }
}
