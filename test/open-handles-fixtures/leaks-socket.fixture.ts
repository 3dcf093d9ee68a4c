import { connect, createServer, type Server } from 'node:net';

describe('a file that closes its server but not the connection to it', () => {
  let server: Server;

  afterAll(() => {
    // Stops listening; the connection below stays open on both ends.
    server.close();
  });

  it('connects', async () => {
    server = createServer();
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const client = connect((server.address() as { port: number }).port, '127.0.0.1');
    await new Promise((done) => client.once('connect', done));
    expect(client.readyState).toBe('open');
  });
});
