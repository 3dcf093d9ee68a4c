import { createHmac } from 'node:crypto';
import { webhookBody, webhookHeaders } from './webhook.destination';
import { verifyWebhookSignature, webhookSignatureHeader } from './webhook-signature';

describe('webhook signatures', () => {
  const secret = 'whsec_test';
  const body = '[{"id":"1"}]';
  const now = 1_767_225_600;

  it('signs "<timestamp>.<body>" with HMAC-SHA256 as v1=<hex>', () => {
    const expected = createHmac('sha256', secret).update(`${now}.${body}`).digest('hex');
    expect(webhookSignatureHeader(secret, now, body)).toBe(`v1=${expected}`);
  });

  it.each<[string, string | undefined, string, string | undefined, boolean]>([
    ['the signed request', String(now), body, 'good', true],
    ['a changed body', String(now), '[{"id":"2"}]', 'good', false],
    ['a changed timestamp', String(now + 1), body, 'good', false],
    ['a timestamp older than the tolerance', String(now - 301), body, 'old', false],
    ['a timestamp in the future beyond the tolerance', String(now + 301), body, 'future', false],
    ['no timestamp', undefined, body, 'good', false],
    ['no signature', String(now), body, undefined, false],
    ['another scheme', String(now), body, 'v0', false],
    ['one of two signatures during rotation', String(now), body, 'rotation', true],
    ['a non-numeric timestamp', `${now}abc`, body, 'good', false],
  ])('verifies %s: %s', (_, timestamp, sentBody, which, ok) => {
    const headers: Record<string, string> = {
      good: webhookSignatureHeader(secret, now, body),
      old: webhookSignatureHeader(secret, now - 301, body),
      future: webhookSignatureHeader(secret, now + 301, body),
      v0: webhookSignatureHeader(secret, now, body).replace('v1=', 'v0='),
      rotation: `v1=${'0'.repeat(64)}, ${webhookSignatureHeader(secret, now, body)}`,
    };
    const header = which === undefined ? undefined : headers[which];
    expect(verifyWebhookSignature(secret, timestamp, sentBody, header, 300, now)).toBe(ok);
  });

  it('writes JSON arrays and NDJSON', () => {
    const events = [{ id: 'a' }, { id: 'b' }] as never[];
    expect(webhookBody(events, 'json')).toBe('[{"id":"a"},{"id":"b"}]');
    expect(webhookBody(events, 'ndjson')).toBe('{"id":"a"}\n{"id":"b"}\n');
  });

  it('keeps custom headers but never lets them replace the signature or content type', () => {
    const headers = webhookHeaders(
      {
        type: 'webhook',
        url: 'https://x',
        signing_secret: secret,
        format: 'ndjson',
        headers: {
          Authorization: 'Bearer abc',
          'x-auditlog-signature': 'v1=forged',
          'content-type': 'text/plain',
          'Content-Length': '1',
        },
      },
      body,
      now,
      '1.0.0',
    );
    expect(headers).toEqual({
      Authorization: 'Bearer abc',
      'Content-Type': 'application/x-ndjson',
      'User-Agent': 'auditlog-appliance/1.0.0',
      'X-Auditlog-Timestamp': String(now),
      'X-Auditlog-Signature': webhookSignatureHeader(secret, now, body),
    });
  });
});
