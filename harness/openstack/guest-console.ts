/**
 * What the project's guest says on its serial console (scenarios/images/guest/init), read back from
 * nova's console log: each first-boot step has its line. A guest that never answers is judged by
 * the last step it reached, so a red check names the broken part (no boot, no DHCP lease, no
 * metadata) as far as the console shows it.
 */
export interface GuestConsole {
  /** Seconds since power on at each step, when the step was reached. */
  readonly bootedAt?: number;
  /** `routes`: the classless static routes (destination, gateway, ...), OVN's route to the metadata address among them. */
  readonly lease?: { readonly address: string; readonly router: string; readonly routes: readonly string[]; readonly at: number };
  readonly noLease: boolean;
  readonly metadata?: { readonly hostname: string; readonly key: string };
  readonly noMetadata: boolean;
  /** The first metadata request went unanswered (the guest keeps asking for a while). */
  readonly metadataRetrying: boolean;
  readonly sshAt?: number;
  readonly ready: boolean;
}

const num = (text: string | undefined): number | undefined => (text === undefined ? undefined : Number(text));

export function parseGuestConsole(output: string): GuestConsole {
  const booted = /gategrid-guest: booted, kernel \S+, ([\d.]+) s since power on/.exec(output);
  const lease = /gategrid-guest: dhcp lease ([\d.]+)\/\d+ on \S+ via (\S+)(?: routes (\S+))?, ([\d.]+) s since power on/.exec(output);
  const metadata = /gategrid-guest: metadata hostname=(\S+) key=(\S+)/.exec(output);
  const ssh = /gategrid-guest: ssh serving, ([\d.]+) s since power on/.exec(output);
  return {
    ...(booted ? { bootedAt: num(booted[1]) } : {}),
    ...(lease ? { lease: { address: lease[1]!, router: lease[2]!, routes: lease[3]?.split(',') ?? [], at: Number(lease[4]) } } : {}),
    noLease: /gategrid-guest: no dhcp lease/.test(output) || /gategrid-guest: no network interface/.test(output),
    ...(metadata ? { metadata: { hostname: metadata[1]!, key: metadata[2]! } } : {}),
    noMetadata: /gategrid-guest: no metadata/.test(output),
    metadataRetrying: /gategrid-guest: metadata not answering yet/.test(output),
    ...(ssh ? { sshAt: num(ssh[1]) } : {}),
    ready: /gategrid-guest: ready/.test(output),
  };
}

/** Why a guest does not answer, from its console, its fixed address and what the probe saw. */
export function diagnose(c: GuestConsole, fixedIp: string, pinged: boolean): string {
  if (c.bootedAt === undefined) return 'its console shows no boot (the hypervisor, the kernel or the initramfs)';
  if (c.noLease || (!c.lease && c.ready)) return 'it booted but got no DHCP lease (OVN\'s DHCP, the port\'s flows, or the tap on br-int)';
  if (!c.lease) return 'it booted and is still waiting for a DHCP lease';
  if (c.lease.address !== fixedIp) return `its DHCP lease is ${c.lease.address}, but neutron gave its port ${fixedIp}`;
  if (!pinged) return `it holds its address ${fixedIp} but its floating IP does not answer ping: the router's NAT, its external gateway, or the security group's ICMP rule`;
  if (!c.metadata && !c.noMetadata && c.metadataRetrying) return 'its metadata service does not answer (the guest is still asking): the metadata agent or nova\'s metadata API';
  if (c.noMetadata) return 'it answers ping but read no metadata, so it has no key (the metadata agent or nova\'s metadata API)';
  if (!c.ready) return 'it answers ping but its first boot has not finished (SSH not serving yet)';
  return 'it answers ping and serves SSH, yet the login failed: the security group\'s SSH rule, or the key';
}
