// Free TCP ports on 127.0.0.1 for servers a test starts itself (or a port where nothing listens).
import net from 'node:net';

function listen(port: number): Promise<net.Server | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

const close = (server: net.Server) => new Promise((resolve) => server.close(resolve));

/**
 * A port that is free now, and the `count - 1` ports after it too (a broker's listeners).
 * Nothing keeps them free: use them at once. A port that stays closed is refused.
 */
export async function freePort(count = 1): Promise<number> {
  for (;;) {
    const first = (await listen(0))!;
    const port = (first.address() as net.AddressInfo).port;
    const rest = port + count - 1 <= 65_535 ? await Promise.all(Array.from({ length: count - 1 }, (_, i) => listen(port + 1 + i))) : [undefined];
    await Promise.all([first, ...rest].filter((server) => server !== undefined).map(close));
    if (rest.every(Boolean)) return port;
  }
}
