/**
 * `npm run key:create -- --id <key_id> --companies <*|a|b> [--for ingest|siem|viewer]`:
 * creates a key, prints the secret once and the line to add to INGEST_API_KEYS,
 * SIEM_API_KEYS or VIEWER_TOKEN_KEYS (or their `_FILE`).
 */
import { createHash, randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { parseIngestKeys } from '@auditlog/config';

const KEY_VARIABLES: Record<string, string> = {
  ingest: 'INGEST_API_KEYS',
  siem: 'SIEM_API_KEYS',
  viewer: 'VIEWER_TOKEN_KEYS',
};

function main(): number {
  const { values } = parseArgs({
    options: {
      id: { type: 'string' },
      companies: { type: 'string' },
      for: { type: 'string', default: 'ingest' },
    },
    strict: true,
  });
  const variable = KEY_VARIABLES[values.for ?? 'ingest'];
  if (!values.id || !values.companies || !variable) {
    process.stderr.write(
      'usage: npm run key:create -- --id <key_id> --companies <*|company[|company…]> [--for ingest|siem|viewer]\n',
    );
    return 2;
  }
  const secret = randomBytes(32).toString('base64url');
  const line = `${values.id}:${createHash('sha256').update(secret).digest('hex')}:${values.companies}`;
  const { errors } = parseIngestKeys(line);
  if (errors.length > 0) {
    process.stderr.write(`${errors.join('\n')}\n`);
    return 2;
  }
  process.stdout.write(
    [
      `Secret for ${values.for} key "${values.id}" (shown once; give it to its holder):`,
      `  ${secret}`,
      `Add this line to ${variable} or to the file named by ${variable}_FILE:`,
      `  ${line}`,
      '',
    ].join('\n'),
  );
  return 0;
}

process.exitCode = main();
