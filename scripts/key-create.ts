/**
 * `npm run key:create -- --id <key_id> --companies <*|a|b>`: creates an ingest key, prints
 * the secret once and the line to add to INGEST_API_KEYS (or the keys file).
 */
import { createHash, randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { parseIngestKeys } from '@auditlog/config';

function main(): number {
  const { values } = parseArgs({
    options: { id: { type: 'string' }, companies: { type: 'string' } },
    strict: true,
  });
  if (!values.id || !values.companies) {
    process.stderr.write(
      'usage: npm run key:create -- --id <key_id> --companies <*|company[|company…]>\n',
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
      `Secret for ingest key "${values.id}" (shown once; give it to the producer):`,
      `  ${secret}`,
      'Add this line to INGEST_API_KEYS or to the file named by INGEST_API_KEYS_FILE:',
      `  ${line}`,
      '',
    ].join('\n'),
  );
  return 0;
}

process.exitCode = main();
