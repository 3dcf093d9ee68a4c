export type Log = (line: string) => void;

/** Progress goes to stderr by default so stdout stays free for machine-readable output. */
export const stderrLog: Log = (line) => {
  process.stderr.write(`${line}\n`);
};

/** Hides the password of a URL such as https://user:secret@host before it is printed. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.password) return url;
    parsed.password = '***';
    return parsed.toString().replace(/\/$/, url.endsWith('/') ? '/' : '');
  } catch {
    return url;
  }
}
