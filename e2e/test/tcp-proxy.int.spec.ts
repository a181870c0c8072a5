import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
// The TCP proxy the fault tests use to cut and slow connections (tools/testing).
import { startTcpProxy } from '../../tools/testing/tcp-proxy.js';
import { waitFor } from './support/processes.js';

let echo: net.Server;
let echoPort: number;

beforeAll(async () => {
  echo = net.createServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  echoPort = (echo.address() as net.AddressInfo).port;
});

afterAll(() => new Promise((resolve) => echo.close(resolve)));

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

function roundTrip(socket: net.Socket, text: string): Promise<string> {
  return new Promise((resolve) => {
    socket.once('data', (data) => resolve(data.toString()));
    socket.write(text);
  });
}

describe('tcp proxy', () => {
  it('forwards, cuts every connection on stop(), and forwards again on the same port after start()', async () => {
    const proxy = await startTcpProxy({ targetHost: '127.0.0.1', targetPort: echoPort });
    try {
      const socket = await connect(proxy.port);
      await expect(roundTrip(socket, 'ping')).resolves.toBe('ping');
      expect(proxy.connections()).toBe(1);

      const closed = new Promise((resolve) => socket.once('close', resolve));
      await proxy.stop();
      await closed;
      await expect(connect(proxy.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });

      await proxy.start();
      const again = await connect(proxy.port);
      await expect(roundTrip(again, 'pong')).resolves.toBe('pong');
      again.destroy();
      await waitFor('the connection to close', () => proxy.connections() === 0);
      expect(proxy.address).toBe(`127.0.0.1:${proxy.port}`);
    } finally {
      await proxy.close();
    }
  });

  it('delays every chunk by the latency set, in order, and stops delaying when set to 0', async () => {
    const proxy = await startTcpProxy({ targetHost: '127.0.0.1', targetPort: echoPort });
    try {
      const socket = await connect(proxy.port);
      proxy.setLatency(150);
      const received: string[] = [];
      socket.on('data', (data) => received.push(data.toString()));
      const started = performance.now();
      for (const part of ['a', 'b', 'c']) socket.write(part);
      await waitFor('the echo of a, b and c', () => received.join('') === 'abc');
      // Each direction adds the latency: out to the echo server and back.
      expect(performance.now() - started).toBeGreaterThanOrEqual(290);
      proxy.setLatency(0);
      received.length = 0;
      socket.write('d');
      await waitFor('the echo of d', () => received.join('') === 'd');
      socket.destroy();
    } finally {
      await proxy.close();
    }
  });
});
