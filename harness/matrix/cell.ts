import type { LoadedScenario } from '../config/load-scenario.ts';
import type { ReleaseSpec } from '../config/schemas.ts';
import type { TempestSelection } from '../../tempest-bridge/selection.ts';

/**
 * The cell's one home: what the matrix plans (scenario × release × backend, its Tempest selection,
 * its upgrade target, or why it is skipped) and the images it needs. The runner takes cells from
 * here; nothing here knows how they run.
 */
export const TEMPEST_IMAGE = 'tempest';

export interface CellSpec {
  readonly id: string;
  readonly scenario: LoadedScenario;
  readonly releaseName: string;
  readonly release: ReleaseSpec;
  readonly backend: string;
  readonly tempest: TempestSelection;
  /** An upgrade cell: the release its `upgrade.services` move to after the deploy. */
  readonly upgradeTo?: { readonly releaseName: string; readonly release: ReleaseSpec };
}

export interface PlannedCell extends CellSpec {
  /** Set when the cell cannot run on this release/backend: it is reported `skipped` with this reason. */
  readonly skipReason?: string;
  readonly repro: string;
  /** Not blocking: a red verdict is reported and fails no gate (the config's matrix.tiers). */
  readonly tier?: 'informing' | 'experimental';
  readonly tierReason?: string;
}

/**
 * The image recipes a cell needs: its services', its workload's guest and, when it runs Tempest, Tempest's. An upgrade
 * cell runs Tempest after the upgrade, from the release it moved to (see `upgradeImages`).
 */
export function cellImages(cell: CellSpec): string[] {
  const names = cell.scenario.services.map((svc) => svc.spec.image);
  if (cell.scenario.spec.workload) names.push(cell.scenario.spec.workload.guestImage);
  names.push(...cell.scenario.spec.checks.runners.map((r) => r.image));
  if (cell.tempest.kind !== 'none' && !cell.upgradeTo) names.push(TEMPEST_IMAGE);
  return names;
}

/** The image recipes an upgrade cell needs in the release it moves to: its upgraded services', and Tempest's. */
export function upgradeImages(cell: CellSpec): string[] {
  const upgraded = new Set(cell.scenario.spec.upgrade?.services ?? []);
  const names = cell.scenario.services.filter((svc) => upgraded.has(svc.spec.name)).map((svc) => svc.spec.image);
  if (cell.tempest.kind !== 'none') names.push(TEMPEST_IMAGE);
  return names;
}

/**
 * What the cell needs only at its end, built while it deploys: Tempest's image, of the release whose
 * Tempest judges it (the target's, for an upgrade cell). None when the cell runs no Tempest, or when
 * something it deploys or runs before (a runner) uses that image too.
 */
export function lateImage(cell: CellSpec): { readonly name: string; readonly suite: string } | undefined {
  if (cell.tempest.kind === 'none') return undefined;
  const early = [...cell.scenario.services.map((svc) => svc.spec.image), ...cell.scenario.spec.checks.runners.map((r) => r.image)];
  if (early.includes(TEMPEST_IMAGE)) return undefined;
  return { name: TEMPEST_IMAGE, suite: (cell.upgradeTo?.release ?? cell.release).suite };
}

/** Which release's Tempest judges the cell: the release an upgrade cell moved to, else the cell's own. */
export function tempestRelease(cell: CellSpec): string {
  return cell.upgradeTo?.releaseName ?? cell.releaseName;
}
