import net from 'node:net';
import type { KubeConfig } from '@kubernetes/client-node';
import { PortForward } from '@kubernetes/client-node';

/**
 * A published port of a pod: a listener on 127.0.0.1:hostPort whose every connection is forwarded
 * through the API server to the service's current pod (looked up per connection, so a replaced pod
 * is reached without restarting the listener). Nothing else is ever listened on or dialled.
 */
export class PortForwarder {
  readonly #server: net.Server;
  readonly #sockets: Set<net.Socket>;

  private constructor(server: net.Server, sockets: Set<net.Socket>) {
    this.#server = server;
    this.#sockets = sockets;
  }

  static async listen(kc: KubeConfig, namespace: string, hostPort: number, podPort: number, currentPod: () => Promise<string | undefined>): Promise<PortForwarder> {
    const forward = new PortForward(kc, true);
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      socket.pause();
      void (async () => {
        const pod = await currentPod().catch(() => undefined);
        if (!pod) return socket.destroy();
        try {
          const ws = await forward.portForward(namespace, pod, [podPort], socket, null, socket);
          if (typeof ws === 'function') return;
          ws.on('close', () => socket.end());
          ws.on('error', () => socket.destroy());
          socket.on('close', () => ws.close());
          socket.resume();
        } catch {
          socket.destroy();
        }
      })();
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(hostPort, '127.0.0.1', () => resolve());
    });
    return new PortForwarder(server, sockets);
  }

  /** Stops listening and cuts every open connection: the port is free again (an upgrade's replacement binds it). */
  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
