// What `apply` does: the changes that make the registry hold exactly the targets of a file,
// and how they are printed. Header values are never printed: they may hold credentials.
import type { CompiledTarget } from '@sitewatch/checker';
import type { Target } from '@sitewatch/schema';

/** A target of the registry as read: valid (as written, and compiled), or a record that is not a valid target, and why. */
export type CurrentTarget = { target: Target; compiled: CompiledTarget } | { invalid: string };

/** One change to the registry. */
export type TargetChange =
  | { kind: 'add'; id: string; target: Target }
  | { kind: 'change'; id: string; target: Target; fields: string[] }
  | { kind: 'remove'; id: string };

/** JSON with the keys of every object sorted: two targets with the same settings have the same text. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The settings whose values differ between two targets, by name. */
function changedFields(before: Target, after: Target): string[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys.filter((key) => canonical(before[key as keyof Target]) !== canonical(after[key as keyof Target]));
}

/**
 * The changes that make `current` hold exactly `desired`: add what is missing, change what
 * differs (or is not a valid record), remove what the file does not name; sorted by id.
 */
export function diffTargets(desired: readonly Target[], current: ReadonlyMap<string, CurrentTarget>): { changes: TargetChange[]; unchanged: number } {
  const changes: TargetChange[] = [];
  let unchanged = 0;
  for (const target of desired) {
    const now = current.get(target.id);
    if (now === undefined) changes.push({ kind: 'add', id: target.id, target });
    else if ('invalid' in now) changes.push({ kind: 'change', id: target.id, target, fields: ['(invalid record)'] });
    else if (canonical(now.target) !== canonical(target)) changes.push({ kind: 'change', id: target.id, target, fields: changedFields(now.target, target) });
    else unchanged++;
  }
  const named = new Set(desired.map((target) => target.id));
  for (const id of current.keys()) if (!named.has(id)) changes.push({ kind: 'remove', id });
  return { changes: changes.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)), unchanged };
}

/** One line per change (`+ id url`, `~ id: fields`, `- id`), then the totals. */
export function formatDiff(changes: readonly TargetChange[], unchanged: number, dryRun: boolean): string {
  const lines = changes.map((change) => {
    if (change.kind === 'add') return `+ ${change.id} ${change.target.url}`;
    if (change.kind === 'change') return `~ ${change.id}: ${change.fields.join(', ')}`;
    return `- ${change.id}`;
  });
  const count = (kind: TargetChange['kind']) => changes.filter((change) => change.kind === kind).length;
  const totals = `${count('add')} added, ${count('change')} changed, ${count('remove')} removed, ${unchanged} unchanged`;
  return [...lines, dryRun ? `${totals} (dry run: nothing written)` : totals].join('\n');
}
