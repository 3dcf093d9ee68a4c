import { createServer } from 'node:net';

describe('a file that leaves a server listening', () => {
  it('listens and never closes', async () => {
    const server = createServer();
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    expect(server.listening).toBe(true);
  });
});
