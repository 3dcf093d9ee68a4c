import * as net from 'node:net';

export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** First free port at or after start, skipping reserved ones. */
export async function findFreePort(start: number, reserved: number[] = []): Promise<number> {
  for (let port = start; port < start + 200 && port <= 65535; port++) {
    if (!reserved.includes(port) && (await isPortFree(port))) return port;
  }
  throw new Error(`no free port in ${start}-${start + 199}`);
}
