import * as path from 'node:path';
import { failureDetails, findExecutable, runCommand } from './processes';

/**
 * Extracts a zip with `unzip`, or with the JDK's `jar` tool when unzip is not installed
 * (jar drops file modes, so callers must restore executable bits they rely on).
 */
export async function extractZip(
  zipFile: string,
  targetDir: string,
  jdkHome: string,
): Promise<void> {
  const unzip = findExecutable('unzip');
  const result = unzip
    ? await runCommand(unzip, ['-q', zipFile, '-d', targetDir])
    : await runCommand(path.join(jdkHome, 'bin', 'jar'), ['xf', zipFile], { cwd: targetDir });
  if (result.code !== 0) {
    throw new Error(`extracting ${zipFile} failed:\n${failureDetails(result)}`);
  }
}
