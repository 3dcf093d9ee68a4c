import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CommandOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs a command to completion and captures its output; never rejects on a non-zero exit. */
export function runCommand(
  command: string,
  args: string[],
  options: CommandOptions = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = options.timeoutMs
      ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs)
      : undefined;
    child.on('error', (error) => {
      if (timer) clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export function failureDetails(result: CommandResult, maxLines = 20): string {
  const lines = `${result.stdout}\n${result.stderr}`.split('\n').filter((line) => line.trim());
  return lines.slice(-maxLines).join('\n');
}

export function findExecutable(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not in this PATH entry
    }
  }
  return undefined;
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * True when pid is alive and its command line contains marker. Guards against acting on a
 * recycled pid after a reboot. Where /proc is unavailable, liveness alone decides.
 */
export function isProcessRunning(pid: number, commandLineMarker: string): boolean {
  if (!isProcessAlive(pid)) return false;
  let commandLine: string;
  try {
    commandLine = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return !fs.existsSync('/proc/self');
  }
  // A zombie has an empty command line: it is already dead.
  return commandLine.includes(commandLineMarker);
}

export async function waitForProcessExit(
  pid: number,
  timeoutMs: number,
  commandLineMarker: string,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isProcessRunning(pid, commandLineMarker)) return true;
    await sleep(200);
  }
  return !isProcessRunning(pid, commandLineMarker);
}

/** SIGTERM, then SIGKILL once graceMs has passed. Returns false when the process was not running. */
export async function terminateProcess(
  pid: number,
  commandLineMarker: string,
  graceMs: number,
): Promise<boolean> {
  if (!isProcessRunning(pid, commandLineMarker)) return false;
  sendSignal(pid, 'SIGTERM');
  if (await waitForProcessExit(pid, graceMs, commandLineMarker)) return true;
  sendSignal(pid, 'SIGKILL');
  if (await waitForProcessExit(pid, 10_000, commandLineMarker)) return true;
  throw new Error(`process ${pid} did not exit after SIGKILL`);
}

export function sendSignal(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

export function tailFile(file: string, lineCount: number): string[] {
  try {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    return lines.slice(-lineCount);
  } catch {
    return [];
  }
}

export function readPidFile(file: string): number | undefined {
  try {
    const pid = Number.parseInt(fs.readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
