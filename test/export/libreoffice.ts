import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

export const SOFFICE = process.env.SOFFICE_PATH ?? '/usr/bin/soffice';

/**
 * CSV import options a careless reader could choose, the worst case for formula injection:
 * comma, double quote, UTF-8 (76), from line 1, "trim spaces" on (token 11), "evaluate
 * formulas" on (token 13), "detect special numbers" on (token 8).
 */
export const HOSTILE_CSV_IMPORT = 'CSV:44,34,76,1,,0,false,true,false,false,true,-1,true';

/** CSV as Calc writes it: UTF-8, every text cell quoted, cell contents as shown. */
export const CALC_CSV_EXPORT = 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,true,true,true';

/**
 * Converts one file with headless LibreOffice Calc into `format` (e.g. `xlsx`) and returns the
 * converted file's path (under `workDir`). Every run gets a fresh user profile, so no setting
 * carries over.
 */
export async function convertWithLibreOffice(
  file: string,
  format: string,
  workDir: string,
  options: { infilter?: string; timeoutMs?: number } = {},
): Promise<string> {
  const work = fs.mkdtempSync(path.join(workDir, 'soffice-'));
  const outDir = path.join(work, 'out');
  const args = [
    `-env:UserInstallation=${pathToFileURL(path.join(work, 'profile')).href}`,
    '--headless',
    '--norestore',
    ...(options.infilter ? [`--infilter=${options.infilter}`] : []),
    '--convert-to',
    format,
    '--outdir',
    outDir,
    file,
  ];
  const output = await new Promise<string>((resolve, reject) =>
    execFile(
      SOFFICE,
      args,
      { timeout: options.timeoutMs ?? 120_000, env: { ...process.env, HOME: work } },
      (error, stdout, stderr) =>
        error ? reject(new Error(`soffice failed: ${error.message}\n${stderr}`)) : resolve(stdout),
    ),
  );
  const converted = path.join(outDir, `${path.parse(file).name}.${format.split(':')[0]}`);
  if (!fs.existsSync(converted)) throw new Error(`soffice wrote no ${converted}: ${output}`);
  return converted;
}
