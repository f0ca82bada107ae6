import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';

/** An address of this machine other than loopback (what the network reaches it by), if it has one. */
export function otherAddress(): string | null {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (!a.internal && a.family === 'IPv4') return a.address;
  }
  return null;
}

/** Whether a TCP connection to host:port is accepted. */
export function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(5000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/**
 * The URL a `chatchannels serve --port 0` prints once it listens (`serving http://…/`), read from
 * its output so far. Tests serve on port 0 and read the port here: a port probed free and then
 * passed to serve could be taken meanwhile by a test file running in parallel.
 */
export async function servedUrl(output: () => string, exited: () => boolean = () => false, seconds = 120): Promise<string> {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    const m = /serving (http:\/\/\S+\/)/.exec(output());
    if (m) return m[1];
    if (exited()) throw new Error(`serve exited before serving:\n${output()}`);
    if (Date.now() > end) throw new Error(`serve printed no "serving <url>" within ${seconds} s:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The port of a URL, as a number. */
export function portOf(url: string): number {
  return Number(new URL(url).port);
}
