/**
 * The network between the drill's Regions and the witness, local tooling only. Every replication message
 * from one site to another travels through a link of its own (a TCP forwarder), so a partition is a
 * property of the links, not a flag anyone reads: a cut link accepts connections and swallows what is
 * sent either way, as a lost route does, and whoever sends over it learns of the cut only by timing out.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

interface Link {
  readonly server: Server;
  url: string;
  cut: boolean;
  /** Both ends of every connection the link carries, to black-hole them when it is cut. */
  readonly sockets: Set<Socket>;
}

export class Network {
  private readonly links = new Map<string, Link>();

  /** A URL through which `from` reaches `target` (a site named `to`); created once per direction. */
  async link(from: string, to: string, target: string): Promise<string> {
    const id = linkId(from, to);
    const existing = this.links.get(id);
    if (existing) return existing.url;
    const targetUrl = new URL(target);
    const sockets = new Set<Socket>();
    // No Nagle: replication messages are small, and delayed ACKs would add 40 ms to each.
    const server = createServer({ noDelay: true }, (client) => {
      sockets.add(client);
      client.on('close', () => sockets.delete(client));
      client.on('error', () => undefined);
      if (link.cut) return blackHole(client);
      const upstream = createConnection({
        host: targetUrl.hostname,
        port: Number(targetUrl.port),
        noDelay: true,
      });
      sockets.add(upstream);
      upstream.on('close', () => {
        sockets.delete(upstream);
        if (!link.cut) client.destroy();
      });
      upstream.on('error', () => undefined);
      client.on('close', () => {
        if (!link.cut) upstream.destroy();
      });
      client.pipe(upstream);
      upstream.pipe(client);
    });
    const link: Link = { server, url: '', cut: false, sockets };
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    link.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    this.links.set(id, link);
    return link.url;
  }

  /** Cuts both directions between two sites: in-flight and new traffic is swallowed. */
  cut(a: string, b: string): void {
    for (const link of this.between(a, b)) {
      link.cut = true;
      for (const socket of link.sockets) blackHole(socket);
    }
  }

  /** Restores both directions; connections that were swallowed stay dead, as their peers gave up on them. */
  heal(a: string, b: string): void {
    for (const link of this.between(a, b)) {
      link.cut = false;
      for (const socket of link.sockets) socket.destroy();
      link.sockets.clear();
    }
  }

  async close(): Promise<void> {
    await Promise.all(
      [...this.links.values()].map(
        (link) =>
          new Promise<void>((resolve) => {
            for (const socket of link.sockets) socket.destroy();
            link.server.close(() => resolve());
          }),
      ),
    );
  }

  private between(a: string, b: string): Link[] {
    return [this.links.get(linkId(a, b)), this.links.get(linkId(b, a))].filter(
      (link): link is Link => link !== undefined,
    );
  }
}

const linkId = (from: string, to: string) => `${from}->${to}`;

/** Keeps the connection open and drops whatever arrives on it. */
function blackHole(socket: Socket): void {
  socket.unpipe();
  socket.removeAllListeners('data');
  socket.on('data', () => undefined);
  socket.resume();
}
