import { createServer, connect, type Server, type Socket } from 'node:net';

describe('a file that closes what it opens', () => {
  let server: Server;
  let client: Socket;
  let timer: NodeJS.Timeout;

  beforeAll(async () => {
    server = createServer((socket) => socket.end());
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as { port: number };
    client = connect(port, '127.0.0.1');
    await new Promise((done) => client.once('connect', done));
    timer = setInterval(() => undefined, 50);
  });

  afterAll(async () => {
    clearInterval(timer);
    client.destroy();
    await new Promise((done) => server.close(done));
  });

  it('runs', () => {
    expect(client.remotePort).toBe((server.address() as { port: number }).port);
  });
});
