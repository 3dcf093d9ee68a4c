import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { buildDigest, signingKeyFromPem } from '@auditlog/integrity';
import {
  EXAMPLE_EVENTS,
  EXAMPLE_KEY_ID,
  EXAMPLE_PRIVATE_KEY_PEM,
  EXAMPLE_PUBLIC_KEY_PEM,
} from '@auditlog/testing';
import { main } from './cli';

function capture(): Writable & { text: string } {
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      stream.text += chunk.toString();
      done();
    },
  }) as Writable & { text: string };
  stream.text = '';
  return stream;
}

describe('auditlog-verify', () => {
  const dir = mkdtempSync(join(tmpdir(), 'verify-cli-'));
  const key = signingKeyFromPem(EXAMPLE_PRIVATE_KEY_PEM, EXAMPLE_KEY_ID);
  const digest = buildDigest(
    {
      companyId: 'acme',
      windowStart: '2026-01-01T00:00:00.000Z',
      windowEnd: '2026-01-01T01:00:00.000Z',
      events: EXAMPLE_EVENTS,
      previous: null,
      keyId: key.keyId,
      createdAt: '2026-01-01T01:01:00.000Z',
    },
    key.privateKey,
  );
  const file = (name: string, content: string) => {
    writeFileSync(join(dir, name), content);
    return join(dir, name);
  };
  const digests = file('digests.json', JSON.stringify([digest]));
  const publicKey = file('key.pem', EXAMPLE_PUBLIC_KEY_PEM);
  const ndjson = (events: object[]) => events.map((event) => JSON.stringify(event)).join('\n');

  function run(...args: string[]) {
    const out = capture();
    const err = capture();
    const status = main(args, out, err);
    return { status, out: out.text, err: err.text };
  }

  /** Runs the verifier on these events as an NDJSON export, against the example digest. */
  function check(name: string, events: object[], key = publicKey) {
    return run(file(name, ndjson(events)), '--digests', digests, '--public-key', key);
  }

  it('exits 0 and says OK for an untouched export', () => {
    const result = check('ok.ndjson', EXAMPLE_EVENTS);
    expect(result).toMatchObject({ status: 0, out: 'acme: OK (1 digest(s), 2 event(s))\n' });
  });

  it('accepts a JSON array export and named keys', () => {
    const result = run(
      file('ok.json', JSON.stringify(EXAMPLE_EVENTS)),
      '--digests',
      digests,
      '--public-key',
      `${EXAMPLE_KEY_ID}=${publicKey}`,
    );
    expect(result.status).toBe(0);
  });

  it('exits 1 and names the modified and missing events', () => {
    const changed = { ...EXAMPLE_EVENTS[0], action: 'flow.renamed' };
    const result = check('bad.ndjson', [changed]);
    expect(result.status).toBe(1);
    expect(result.out).toContain('acme: FAILED');
    expect(result.out).toContain('modified event evt-1: content does not match its hash');
    expect(result.out).toContain('missing event evt-2');
  });

  it('exits 1 when the digest was signed by a key it was not given', () => {
    const other = file(
      'other.pem',
      generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    );
    const result = check('ok2.ndjson', EXAMPLE_EVENTS, other);
    expect(result.status).toBe(1);
    expect(result.out).toContain('bad_signature');
  });

  it.each([
    [[], 'missing arguments'],
    [
      ['x.ndjson', '--digests', '/nonexistent.json', '--public-key', 'k.pem'],
      'cannot read /nonexistent.json',
    ],
    [['x.ndjson', '--digests', 'd.json', '--bogus'], "Unknown option '--bogus'"],
  ])('exits 2 on bad usage %j', (args, message) => {
    const result = run(...args);
    expect(result.status).toBe(2);
    expect(result.err).toContain(message);
  });
});
