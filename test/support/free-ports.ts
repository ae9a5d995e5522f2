import { createServer, type Server } from 'node:net';

/**
 * Ports on 127.0.0.1 that nothing listens on right now, all different. The servers are held open
 * until every port is chosen, so the operating system cannot hand out the same port twice.
 */
export async function freeLoopbackPorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let index = 0; index < count; index += 1) {
      const server = createServer();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', resolve);
      });
      servers.push(server);
    }
    return servers.map((server) => {
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('a TCP server reported no port');
      return address.port;
    });
  } finally {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }
}

/** Free ports for a whole local stack, and the `local` command's options that name them. */
export async function freeLocalStackPorts(): Promise<{
  kafkaPort: number;
  s3Port: number;
  portOptions: string[];
}> {
  const [kafkaPort, controllerPort, s3Port] = (await freeLoopbackPorts(3)) as [number, number, number];
  return {
    kafkaPort,
    s3Port,
    portOptions: [
      '--kafka-port',
      String(kafkaPort),
      '--kafka-controller-port',
      String(controllerPort),
      '--s3-port',
      String(s3Port),
    ],
  };
}
