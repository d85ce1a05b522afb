/**
 * Whose systemd unit `kafka-broker.service` / `kafka-zookeeper.service` is. kafka-setup stops,
 * starts, disables, replaces and removes only the units it wrote: their file starts with
 * UNIT_HEADER. Any other unit of that name (the admin's own, a package's) is left alone.
 */
import type { UnitFact } from './facts.js';

/** The first line of every unit file kafka-setup writes (templates/systemd/kafka-daemon.service). */
export const UNIT_HEADER = '# Written by kafka-setup';

/**
 * ours: its file in the unit directory carries the header, or (the file gone: an interrupted
 * removal) systemd still has it loaded from that very path. foreign: a file without the header, or
 * a unit systemd loads from somewhere else (a package's, /dev/null when masked). none: no such unit.
 */
export type UnitOwner = 'ours' | 'foreign' | 'none';

export function unitOwner(u: Pick<UnitFact, 'path' | 'content' | 'fragment'>): UnitOwner {
  if (u.content !== undefined) return u.content.startsWith(UNIT_HEADER) ? 'ours' : 'foreign';
  if (u.fragment) return u.fragment === u.path ? 'ours' : 'foreign';
  return 'none';
}

/** Where a foreign unit is defined: its file in the unit directory, else where systemd loads it from. */
export function unitSource(u: Pick<UnitFact, 'path' | 'content' | 'fragment'>): string {
  return u.content !== undefined || !u.fragment ? u.path : u.fragment;
}

/** The unit file of kafka-setup's, when there is one (a unit to start and stop through systemd). */
export const ourUnitFile = (u: Pick<UnitFact, 'path' | 'content' | 'fragment'>): boolean =>
  u.content !== undefined && unitOwner(u) === 'ours';
