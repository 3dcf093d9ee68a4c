import { isIP } from 'node:net';

/**
 * Parses a comma- or whitespace-separated list of networks (`10.0.0.0/8`, `fd00::/8`, or
 * a bare address for just itself). Each bad entry becomes one problem line for `key`;
 * the valid ones are returned as written. The egress guard parses them again to match.
 */
export function parseCidrs(key: string, text: string | undefined, problems: string[]): string[] {
  const cidrs: string[] = [];
  for (const entry of (text ?? '').split(/[\s,]+/).filter(Boolean)) {
    const [address = '', prefix, ...extra] = entry.split('/');
    const family = isIP(address);
    const bits = family === 4 ? 32 : 128;
    const valid =
      family !== 0 &&
      extra.length === 0 &&
      (prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits));
    if (valid) cidrs.push(entry);
    else
      problems.push(`${key}: "${entry}" is not a network like 10.0.0.0/8, fd00::/8 or 127.0.0.1`);
  }
  return cidrs;
}
