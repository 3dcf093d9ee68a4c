import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Log } from './log';
import { isProcessAlive, sleep } from './processes';

const LOCK_TIMEOUT_MS = 20 * 60_000;
const POLL_INTERVAL_MS = 250;

let heldByThisProcess = false;

function lockOwner(lockFile: string): number | undefined {
  try {
    const pid = Number.parseInt(fs.readFileSync(lockFile, 'utf8').trim(), 10);
    return Number.isInteger(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isStale(owner: number | undefined): boolean {
  if (owner === undefined) return false; // being written right now
  if (owner === process.pid) return !heldByThisProcess;
  return !isProcessAlive(owner);
}

function tryCreateLock(lockFile: string): boolean {
  try {
    const fd = fs.openSync(lockFile, 'wx');
    fs.writeSync(fd, `${process.pid}\n`);
    fs.closeSync(fd);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

function removeStaleLock(lockFile: string, staleOwner: number): void {
  // Re-read right before unlinking to keep the window for removing a fresh lock tiny.
  if (lockOwner(lockFile) !== staleOwner) return;
  try {
    fs.unlinkSync(lockFile);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

async function acquire(lockFile: string, log: Log): Promise<void> {
  fs.mkdirSync(path.dirname(lockFile), { recursive: true });
  const deadline = Date.now() + LOCK_TIMEOUT_MS;
  let reportedWaiting = false;
  let unreadableSince: number | undefined;
  while (!tryCreateLock(lockFile)) {
    const owner = lockOwner(lockFile);
    if (owner === undefined) {
      // An empty lock that stays empty was left by a process killed between create and write.
      unreadableSince ??= Date.now();
      if (Date.now() - unreadableSince > 5_000) {
        fs.rmSync(lockFile, { force: true });
        unreadableSince = undefined;
      }
    } else if (isStale(owner)) {
      removeStaleLock(lockFile, owner);
      continue;
    } else if (!reportedWaiting) {
      log(`services: waiting for another provisioning process (pid ${owner}) to finish`);
      reportedWaiting = true;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for the services lock ${lockFile} (held by pid ${owner})`);
    }
    await sleep(POLL_INTERVAL_MS);
  }
}

function release(lockFile: string): void {
  if (lockOwner(lockFile) === process.pid) fs.rmSync(lockFile, { force: true });
}

// Calls inside one process are serialised in memory too; the file alone cannot tell two
// callers with the same pid apart.
let inProcessQueue: Promise<unknown> = Promise.resolve();

/** Runs fn while holding an exclusive cross-process lock on the services directory. */
export function withServicesLock<T>(lockFile: string, log: Log, fn: () => Promise<T>): Promise<T> {
  const run = async (): Promise<T> => {
    await acquire(lockFile, log);
    heldByThisProcess = true;
    try {
      return await fn();
    } finally {
      heldByThisProcess = false;
      release(lockFile);
    }
  };
  const result = inProcessQueue.then(run, run);
  inProcessQueue = result.catch(() => undefined);
  return result;
}
