// The Node test environment of every Jest config, failing a test file that leaves anything
// open after its tests and afterAll hooks (timers, servers, sockets, child processes): such
// a leftover keeps the worker alive ("A worker process has failed to exit gracefully") and
// goes on acting on the services after the file has ended. See docs/reliability.md.
const { setTimeout: sleep } = require('node:timers/promises');
const { TestEnvironment } = require('jest-environment-node');

/** How long a file's leftovers may take to go: sockets closing, keep-alive pools ending. */
const GRACE_MS = Number(process.env.AUDITLOG_OPEN_HANDLES_GRACE_MS ?? 6_000);
const POLL_MS = 100;

/** Counts of the resources that keep this process alive, by type (`Timeout`, `TCPSocketWrap`, …). */
function census() {
  const counts = new Map();
  for (const type of process.getActiveResourcesInfo())
    counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
}

/** What `after` holds beyond `before`, by type. */
function excess(before, after) {
  const left = [];
  for (const [type, count] of after) {
    const extra = count - (before.get(type) ?? 0);
    if (extra > 0) left.push({ type, count: extra });
  }
  return left;
}

/** Where a handle the file opened is: a listening server's address, a socket's two ends, a pid. */
function describeHandle(handle) {
  const name = handle?.constructor?.name ?? 'handle';
  try {
    if (typeof handle.listen === 'function' && typeof handle.address === 'function') {
      const address = handle.address();
      return address && typeof address === 'object'
        ? `${name} listening on ${address.address}:${address.port}`
        : `${name} listening on ${String(address)}`;
    }
    if (handle.remotePort !== undefined || handle.localPort !== undefined) {
      return `${name} ${handle.localAddress}:${handle.localPort} -> ${handle.remoteAddress}:${handle.remotePort}`;
    }
    if (typeof handle.pid === 'number') return `${name} pid ${handle.pid}`;
  } catch {
    // A handle half torn down answers nothing useful: its type is still named.
  }
  return name;
}

class OpenHandlesEnvironment extends TestEnvironment {
  async setup() {
    await super.setup();
    // The worker's own stdio is made on first use: make it now, so that it counts as before.
    void process.stdout;
    void process.stderr;
    this.before = census();
    this.handlesBefore = new Set(process._getActiveHandles());
  }

  async handleTestEvent(event, state) {
    if (event.name !== 'run_finish') return;
    const leftovers = await this.leftovers();
    if (leftovers.length === 0) return;
    const handles = process
      ._getActiveHandles()
      .filter((handle) => !this.handlesBefore.has(handle))
      .map(describeHandle);
    const lines = [
      `This test file left ${leftovers.map(({ type, count }) => `${count} × ${type}`).join(', ')} open after its tests and afterAll hooks (waited ${GRACE_MS} ms for them to close).`,
      ...handles.map((handle) => `  - ${handle}`),
      'Stop every timer, server, socket, client and process the file starts, in afterAll.',
    ];
    const error = new Error(lines.join('\n'));
    error.stack = '';
    state.unhandledErrors.push(error);
  }

  /** What is still open beyond what was open before the file, once the grace period is up. */
  async leftovers() {
    const deadline = Date.now() + GRACE_MS;
    for (;;) {
      // Taken between two waits, so the wait's own timer is not counted.
      const left = excess(this.before, census());
      if (left.length === 0 || Date.now() >= deadline) return left;
      await sleep(POLL_MS);
    }
  }
}

module.exports = OpenHandlesEnvironment;
