import type { Log } from './log';
import { failureDetails, runCommand } from './processes';

async function userExists(user: string): Promise<boolean> {
  return (await runCommand('id', ['-u', user])).code === 0;
}

/** Creates a login-less system account unless it already exists. Requires root. */
export async function ensureSystemUser(user: string, log: Log): Promise<void> {
  if (await userExists(user)) return;
  const result = await runCommand('useradd', [
    '--system',
    '--no-create-home',
    '--shell',
    '/usr/sbin/nologin',
    user,
  ]);
  // Exit code 9: a concurrent caller created it first.
  if (result.code !== 0 && !(result.code === 9 && (await userExists(user)))) {
    throw new Error(`useradd ${user} failed:\n${failureDetails(result)}`);
  }
  log(`services: created system user ${user}`);
}

export async function chownRecursive(user: string, dir: string): Promise<void> {
  const result = await runCommand('chown', ['-R', `${user}:`, dir]);
  if (result.code !== 0) throw new Error(`chown ${dir} failed:\n${failureDetails(result)}`);
}

/** Makes a tree readable (and its directories traversable) by every user. */
export async function makeWorldReadable(dir: string): Promise<void> {
  const result = await runCommand('chmod', ['-R', 'a+rX', dir]);
  if (result.code !== 0) throw new Error(`chmod ${dir} failed:\n${failureDetails(result)}`);
}
