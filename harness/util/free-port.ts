import net from 'node:net';

const handedOut = new Set<number>();

/**
 * A free TCP port on 127.0.0.1, never handed out twice by this process. Ports are chosen before the
 * containers start so that every URL (catalog endpoints, configs) is known when templates render.
 */
export async function freeLoopbackPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = net.createServer();
      server.unref();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    if (port > 0 && !handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('no free loopback port after 50 attempts');
}
