import type { ExecResult } from '../backends/backend.ts';

/** The provider network a cell's guests reach the probe on: flat, no DHCP, floating IPs from its CIDR. */
export interface ExternalNetwork {
  readonly physicalNetwork: string;
  readonly cidr: string;
  readonly gateway: string;
}

/** What the workload checks and the upgrade's kept guest need from the run: the provider network, the guest's files, the probe, the redaction point. */
export interface WorkloadHooks {
  readonly external: ExternalNetwork;
  /** The guest image's kernel and initramfs, read out of the built image. */
  guestFiles(): Promise<{ kernel: Buffer; ramdisk: Buffer }>;
  /** Runs a command in the probe's container (on the external network); `env` carries secrets. */
  probe(command: readonly string[], timeoutMs: number, env?: Readonly<Record<string, string>>): Promise<ExecResult>;
  /** Tells the run's redaction point a secret the cell made here (the run's private key). */
  secret(name: string, value: string): void;
  /** The recipes' diagnostics now, labelled (a guest that failed, before the check deletes it); the files written. */
  diagnose?(label: string): Promise<string[]>;
}
