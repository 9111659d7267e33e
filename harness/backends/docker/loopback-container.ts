import { GenericContainer } from 'testcontainers';

/**
 * A GenericContainer that publishes its ports on 127.0.0.1 only, and joins one user-defined network
 * under an alias without ever touching Docker's default bridge (testcontainers' own alias support
 * creates the container on the default bridge first).
 */
export class LoopbackContainer extends GenericContainer {
  #network: string | undefined;
  #alias: string | undefined;
  #devices: readonly string[] = [];
  #dns: readonly string[] = [];
  #memoryBytes: number | undefined;
  /** Whether the engine created the container: a failure before that is the harness's, after it the deployment's. */
  created = false;

  onNetwork(network: string, alias: string): this {
    this.#network = network;
    this.#alias = alias;
    return this.withNetworkMode(network);
  }

  /** Joins the network namespace of a running container (`--network container:<name>`): no alias, no hostname, no ports. */
  inNetworkOf(container: string): this {
    return this.withNetworkMode(`container:${container}`);
  }

  /** Host devices, each at the same path inside (read, write, mknod), as `docker run --device` gives them. */
  withDevices(paths: readonly string[]): this {
    this.#devices = paths;
    return this;
  }

  /** A hard memory limit with no swap beyond it (`docker run --memory M --memory-swap M`). */
  withMemoryLimit(mib: number): this {
    this.#memoryBytes = mib * 1024 * 1024;
    return this;
  }

  /** The servers Docker's embedded DNS forwards names it does not know to (`docker run --dns`). */
  withDns(servers: readonly string[]): this {
    this.#dns = servers;
    return this;
  }

  protected override async containerCreated(): Promise<void> {
    this.created = true;
  }

  protected override async beforeContainerCreated(): Promise<void> {
    for (const bindings of Object.values(this.hostConfig.PortBindings ?? {}) as Array<Array<{ HostIp?: string }>>) {
      for (const binding of bindings) binding.HostIp = '127.0.0.1';
    }
    if (this.#devices.length > 0) {
      this.hostConfig.Devices = this.#devices.map((p) => ({ PathOnHost: p, PathInContainer: p, CgroupPermissions: 'rwm' }));
    }
    if (this.#dns.length > 0) this.hostConfig.Dns = [...this.#dns];
    if (this.#memoryBytes !== undefined) {
      this.hostConfig.Memory = this.#memoryBytes;
      this.hostConfig.MemorySwap = this.#memoryBytes;
    }
    if (this.#network && this.#alias) {
      this.createOpts.NetworkingConfig = { EndpointsConfig: { [this.#network]: { Aliases: [this.#alias] } } };
    }
  }
}
