/** What `kafka-setup uninstall` tells the user: the plan before, and what was done after. */
import type { UninstallResult } from '../host/operations.js';
import type { BashrcPlan, ForeignUnit, PlannedDataDir, UninstallPlan } from '../steps/uninstall-plan.js';

const row = (verb: string, text: string): string => `  ${verb.padEnd(8)} ${text}`;

function dataLine(d: PlannedDataDir, purge: boolean): string {
  const what = `${d.what} data in ${d.path}${d.state === 'empty' ? ' (empty)' : ''}`;
  return purge ? row('delete', what) : row('keep', `${what}${d.state === 'data' ? ' (--purge-data deletes it)' : ''}`);
}

function bashrcLine(b: BashrcPlan): string | undefined {
  switch (b.action) {
    case 'restore':
      return row('restore', `${b.path} from ${b.backup}: as it was before init, byte for byte`);
    case 'drop-backup':
      return row('remove', `${b.backup} (${b.path} is already as it was before init)`);
    case 'strip':
      return row(
        'edit',
        `${b.path}: remove kafka-setup's KAFKA_HEAP_OPTS block, keep your changes since init${b.backup ? ` (the original stays in ${b.backup})` : ''}`,
      );
    case 'delete':
      return row('remove', `${b.path} (init created it: it holds only kafka-setup's block)`);
    case 'none':
      return b.note ? row('keep', b.note) : undefined;
  }
}

/** A unit of kafka-setup's name that it did not write, as it stays: running, enabled, in place. */
function foreignLine(u: ForeignUnit): string {
  const state = [u.active === 'active' ? 'running' : u.active, u.enabled === 'enabled' ? 'enabled at boot' : undefined]
    .filter(Boolean)
    .join(', ');
  return row('keep', `left alone: ${u.path} was not written by kafka-setup${state ? ` (stays ${state})` : ''}`);
}

export function planLines(plan: UninstallPlan): string[] {
  const lines: string[] = [];
  if (plan.units.length > 0) {
    const dir = plan.units[0]!.path.replace(/\/[^/]*$/, '');
    const names = plan.units.map((u) => u.name).join(', then ');
    lines.push(
      plan.systemd
        ? row('stop', `${names}: stopped, disabled at boot and removed from ${dir}`)
        : row('remove', `${names} from ${dir} (systemd does not run here)`),
    );
  }
  for (const u of plan.foreign) lines.push(foreignLine(u));
  if (plan.jvms.length > 0) lines.push(row('stop', plan.jvms.map((j) => `${j.daemon.name} (pid ${j.pid})`).join(', then ')));
  if (plan.removeInstall) lines.push(row('remove', `${plan.install.path} (Kafka, with its config files and logs)`));
  else if (plan.install.state === 'other') lines.push(row('keep', `${plan.install.path}: not a Kafka install, so it is left alone`));
  if (plan.tarball) lines.push(row('remove', `${plan.tarball} (a download an interrupted init left)`));
  const bashrc = bashrcLine(plan.bashrc);
  if (bashrc) lines.push(bashrc);
  for (const d of plan.data) lines.push(dataLine(d, d.purge));
  const c = plan.clusterId;
  if (c)
    lines.push(
      c.purge
        ? row('delete', `the KRaft cluster id ${c.id} in ${c.path}`)
        : row('keep', `the KRaft cluster id ${c.id} in ${c.path} (a later init formats with it; --purge-data deletes it)`),
    );
  lines.push(row('keep', 'Java: other programs may use it'));
  return lines;
}

const BASHRC_DONE: Record<string, string> = {
  restore: 'restored from its backup: as it was before init',
  'drop-backup': 'already as before init; its backup removed',
  strip: "kafka-setup's block removed; your changes since init kept",
  delete: 'removed (init had created it)',
};

/** The summary after the run: what was done, what stays, and that Java stays (the blank line before it is the caller's). */
export function doneLines(host: string, plan: UninstallPlan, r: UninstallResult): string[] {
  const stopped = plan.jvms.filter((j) => r.stopped.includes(j.pid)).map((j) => `${j.daemon.name} (pid ${j.pid})`);
  const kept = [
    ...plan.data.filter((d) => !d.purge && d.state !== 'empty').map((d) => d.path),
    ...(plan.clusterId && !plan.clusterId.purge ? [plan.clusterId.path] : []),
  ];
  return [
    `Kafka is uninstalled from ${host}.`,
    ...(r.units.length ? [`  units stopped and removed   ${r.units.join(', ')}`] : []),
    ...(stopped.length ? [`  stopped                     ${stopped.join(', ')}`] : []),
    ...(r.removed.length ? [`  removed                     ${r.removed.join(', ')}`] : []),
    ...(r.purged.length ? [`  data deleted                ${r.purged.join(', ')}`] : []),
    ...(r.bashrc ? [`  ~/.bashrc                   ${BASHRC_DONE[r.bashrc] ?? r.bashrc}`] : []),
    ...(plan.bashrc.action === 'strip' && plan.bashrc.backup
      ? [`  backup kept                 ${plan.bashrc.backup} (the file before init; delete it when you no longer need it)`]
      : []),
    ...(plan.bashrc.action === 'none' && plan.bashrc.note ? [`  ~/.bashrc                   ${plan.bashrc.note}`] : []),
    ...(kept.length ? [`  data kept                   ${kept.join(', ')} (kafka-setup uninstall --purge-data deletes it)`] : []),
    ...(plan.foreign.length
      ? [`  left alone                  ${plan.foreign.map((u) => u.path).join(', ')} (not written by kafka-setup)`]
      : []),
    '  Java                        left installed: other programs may use it',
  ];
}
