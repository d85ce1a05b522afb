/**
 * Step: kafka-setup's systemd units for the mode's JVMs (ZooKeeper and the broker; Kafka 4's one node), installed and enabled at boot
 * (--service systemd, or auto on a host that runs systemd). With --service none, units an earlier
 * run installed are stopped and removed, and the start steps use the -daemon scripts again.
 */
import { UserError } from '../errors.js';
import { withUpdate } from '../host/facts.js';
import type { UnitsRequest } from '../host/operations.js';
import { ourUnitFile, unitOwner, unitSource } from '../host/unit-owner.js';
import { UNIT_DIR } from '../kafka/daemons.js';
import { heapOpts } from '../kafka/heap.js';
import { type UnitValues, unitFile, unitValuesProblem } from '../kafka/units.js';
import { daemonHeapMib, installPath, modeFor, serviceMode } from './targets.js';
import type { Check, Step, StepContext } from './types.js';

function values(ctx: StepContext, heapMib: number): UnitValues {
  return { installPath: installPath(ctx), user: ctx.facts.user, heapOpts: heapOpts(heapMib) };
}

/** The unit files as this run wants them. */
function desired(ctx: StepContext): Array<{ name: string; content: string }> {
  const mode = modeFor(ctx);
  return mode.daemons.map((d) => ({ name: d.unit, content: unitFile(d, values(ctx, daemonHeapMib(ctx, d)), mode.wants(d)) }));
}

/** kafka-setup's own unit files on the host (a unit of the same name that is not ours is never touched). */
const installedUnits = (ctx: StepContext): string[] =>
  modeFor(ctx)
    .daemons.filter((d) => ourUnitFile(ctx.facts.services.units[d.kind]))
    .map((d) => d.unit);

/** What the units step would send, if anything. */
function request(ctx: StepContext): UnitsRequest | undefined {
  if (serviceMode(ctx) === 'none') {
    // Removing needs root too: without it, units left by an earlier run stay (and keep their JVMs).
    const root = ctx.facts.sudo === 'root' || ctx.facts.sudo === 'yes';
    const remove = ctx.facts.services.systemd && root ? installedUnits(ctx) : [];
    return remove.length > 0 ? { write: [], enable: [], remove } : undefined;
  }
  const units = ctx.facts.services.units;
  const daemons = modeFor(ctx).daemons;
  const write = desired(ctx).filter((u, i) => units[daemons[i]!.kind].content !== u.content);
  const enable = daemons.filter((d) => units[d.kind].enabled !== 'enabled').map((d) => d.unit);
  return write.length > 0 || enable.length > 0 ? { write, enable, remove: [] } : undefined;
}

/** "ZooKeeper and the broker are", "Kafka (broker and controller) is": the mode's JVMs in a sentence. */
function jvms(ctx: StepContext): { names: string; are: string; dont: string } {
  const daemons = modeFor(ctx).daemons;
  const many = daemons.length > 1;
  return { names: daemons.map((d) => d.name).join(' and '), are: many ? 'are' : 'is', dont: many ? 'do not' : 'does not' };
}

function whyNone(ctx: StepContext): string {
  const j = jvms(ctx);
  if (ctx.options.service === 'none') return `none (--service none): ${j.names} ${j.are} started with -daemon and ${j.dont} start at boot`;
  if (!ctx.facts.services.systemd)
    return `none: the host does not run systemd, so ${j.names} ${j.are} started with -daemon and ${j.dont} start at boot`;
  return `none: installing units needs root, and ${ctx.facts.user} cannot use sudo without a password; ${j.names} ${j.are} started with -daemon and ${j.dont} start at boot`;
}

function check(ctx: StepContext): Check {
  const r = request(ctx);
  const names = modeFor(ctx)
    .daemons.map((d) => d.unit)
    .join(' and ');
  if (serviceMode(ctx) === 'none') {
    if (!r) return { done: true, detail: whyNone(ctx) };
    return {
      done: false,
      reason: `remove ${r.remove.join(' and ')} (--service none): ${jvms(ctx).names} will be started with -daemon`,
      wouldRun: [
        `sudo systemctl disable --now ${r.remove.join(' ')}`,
        ...r.remove.map((n) => `sudo rm ${UNIT_DIR}/${n}`),
        'sudo systemctl daemon-reload',
      ],
    };
  }
  if (!r) return { done: true, detail: `${names} installed, enabled at boot` };
  return {
    done: false,
    reason:
      r.write.length > 0
        ? `${modeFor(ctx).daemons.every((d) => ctx.facts.services.units[d.kind].content === undefined) ? 'install' : 'update'} ${r.write.map((u) => u.name).join(' and ')}`
        : `enable ${r.enable.join(' and ')} at boot`,
    wouldRun: [
      ...r.write.map((u) => `sudo write ${UNIT_DIR}/${u.name} (runs as ${ctx.facts.user}, Restart=on-failure)`),
      'sudo systemctl daemon-reload',
      ...(r.enable.length > 0 ? [`sudo systemctl enable ${r.enable.join(' ')}`] : []),
    ],
  };
}

function preflight(ctx: StepContext): UserError | undefined {
  const o = ctx.options.service;
  if (o === 'systemd' && !ctx.facts.services.systemd) {
    return new UserError('--service systemd: the host does not run systemd (no /run/systemd/system)', {
      hint: `pass --service none to start ${jvms(ctx).names} with Kafka's -daemon scripts (they will not start at boot)`,
    });
  }
  if (serviceMode(ctx) === 'systemd' && ctx.facts.sudo !== 'root' && ctx.facts.sudo !== 'yes') {
    return new UserError(
      `installing systemd units needs root, and ${ctx.facts.user} ${ctx.facts.sudo === 'missing' ? 'cannot use sudo' : 'must give sudo a password'}`,
      {
        hint: `allow passwordless sudo for ${ctx.facts.user} (as EC2 images do), or pass --service none`,
      },
    );
  }
  const r = request(ctx);
  const touched = r ? [...r.write.map((u) => u.name), ...r.remove] : [];
  for (const d of modeFor(ctx).daemons) {
    const u = ctx.facts.services.units[d.kind];
    if (!touched.includes(d.unit) || unitOwner(u) !== 'foreign') continue;
    if (u.content !== undefined) {
      return new UserError(`${u.path} exists and was not written by kafka-setup`, {
        hint: `kafka-setup does not replace or remove a unit it did not write: rename it (sudo mv ${u.path} ${u.path}.orig, then sudo systemctl daemon-reload), or pass --service none`,
      });
    }
    // Ours in /etc/systemd/system would override it: a package's unit (or a masked one) of that name.
    return new UserError(`systemd already has a ${d.unit} that kafka-setup did not write (${unitSource(u)})`, {
      hint: `kafka-setup does not override a unit it did not write: pass --service none, or remove that unit (its package) first`,
    });
  }
  if (serviceMode(ctx) === 'systemd') {
    const problem = unitValuesProblem(values(ctx, 0));
    if (problem) return new UserError(`cannot write systemd units: ${problem}`, { hint: 'pass --service none' });
  }
  return undefined;
}

export const unitsStep: Step = {
  id: 'units',
  title: 'Install the systemd units',
  check,
  preflight,
  async apply(ctx) {
    const r = request(ctx);
    if (!r) return 'nothing to change';
    ctx.facts = withUpdate(ctx.facts, await ctx.host.setUnits(r));
    if (r.remove.length > 0) return `removed ${r.remove.join(' and ')}`;
    return `${r.write.length > 0 ? `wrote ${r.write.map((u) => u.name).join(' and ')}, ` : ''}enabled at boot`;
  },
};
