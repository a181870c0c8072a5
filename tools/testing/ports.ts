// Free TCP ports on 127.0.0.1 for servers a test starts itself (or a port where nothing listens).
import { readFileSync } from 'node:fs';
import net from 'node:net';

function listen(port: number): Promise<net.Server | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

const close = (server: net.Server) => new Promise((resolve) => server.close(resolve));

/** The lowest port the kernel hands to outgoing connections as their local port (Linux's ip_local_port_range). */
function lowestEphemeralPort(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32_768;
  } catch {
    return 32_768;
  }
}

/**
 * A port that is free now, and the `count - 1` ports after it too (a broker's listeners).
 * Nothing keeps them free: use them at once. A port that stays closed is refused.
 *
 * `restartable`: for a server the test stops and starts again. Its ports are taken below the
 * ephemeral range, since while it is down any outgoing connection on the machine may get
 * one of them as its local port, and the server could not listen there again. They are
 * picked at random in 20000 up to that range (the local stack's ports are below it).
 */
export async function freePort(count = 1, options: { restartable?: boolean } = {}): Promise<number> {
  const low = 20_000;
  const high = lowestEphemeralPort() - count;
  for (;;) {
    const first = options.restartable && high > low ? await listen(low + Math.floor(Math.random() * (high - low))) : await listen(0);
    if (first === undefined) continue;
    const port = (first.address() as net.AddressInfo).port;
    const rest = port + count - 1 <= 65_535 ? await Promise.all(Array.from({ length: count - 1 }, (_, i) => listen(port + 1 + i))) : [undefined];
    await Promise.all([first, ...rest].filter((server) => server !== undefined).map(close));
    if (rest.every(Boolean)) return port;
  }
}
