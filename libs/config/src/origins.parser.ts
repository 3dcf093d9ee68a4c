/** `scheme://host[:port]`, as browsers send it in the `Origin` header. */
const ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$|^https?:\/\/\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/**
 * Parses a comma- or whitespace-separated list of web origins. Each bad entry becomes one
 * problem line for `key`; the valid ones are returned without trailing slashes.
 */
export function parseOrigins(key: string, text: string | undefined, problems: string[]): string[] {
  const origins: string[] = [];
  for (const entry of (text ?? '').split(/[\s,]+/).filter(Boolean)) {
    const origin = entry.replace(/\/$/, '');
    if (ORIGIN.test(origin)) origins.push(origin);
    else problems.push(`${key}: "${entry}" is not an origin like https://platform.example.com`);
  }
  return origins;
}
