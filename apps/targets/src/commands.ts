// The commands: apply a targets file, list the registry, delete a target. Each returns the
// text to print; Kafka trouble is thrown (exit 1).
import { compileTarget, type CompiledTarget } from '@sitewatch/checker';
import { readRegistry, writeRegistry, type RegistryChange, type RegistryOptions } from '@sitewatch/kafka-transport';
import { decodeTarget, encodeTarget, isSitewatchError, schemaVersionHeader, targetSchemaVersion, type SitewatchError, type Target } from '@sitewatch/schema';
import { diffTargets, formatDiff, type CurrentTarget, type TargetChange } from './diff.js';

/** A failure the user must see (exit 1): not a bug, so no stack trace. */
export class CommandError extends Error {}

const why = (error: SitewatchError) => `${error.code}: ${error.problems.map((p) => `${p.path} ${p.message}`).join('; ') || error.message}`;

/** A record as the checkers see it: a target they can check (decoded and compiled), or why not. */
function readTarget(key: string, value: Buffer | null): CurrentTarget {
  const decoded = decodeTarget(value, key);
  if (!decoded.ok) return { invalid: why(decoded.error) };
  try {
    return { target: decoded.value, compiled: compileTarget(decoded.value) };
  } catch (error) {
    if (!isSitewatchError(error)) throw error;
    return { invalid: why(error) };
  }
}

/** The registry's targets by id. */
async function currentTargets(options: RegistryOptions): Promise<Map<string, CurrentTarget>> {
  return new Map((await readRegistry(options)).map((record) => [record.key!, readTarget(record.key!, record.value)]));
}

/** A compiled target as a plain record value: every setting, none undefined. */
function plain(target: CompiledTarget): Target {
  return JSON.parse(JSON.stringify(target)) as Target;
}

function toRecord(change: TargetChange): RegistryChange {
  if (change.kind === 'remove') return { key: change.id, value: null };
  return { key: change.id, value: encodeTarget(change.target), headers: { [schemaVersionHeader]: String(targetSchemaVersion) } };
}

/** Makes the registry hold exactly `targets`: writes what changed, removes what is gone (unless `dryRun`); returns the diff. */
export async function applyTargets(options: RegistryOptions, targets: readonly CompiledTarget[], dryRun: boolean): Promise<string> {
  const { changes, unchanged } = diffTargets(targets.map(plain), await currentTargets(options));
  if (!dryRun) await writeRegistry(options, changes.map(toRecord));
  return formatDiff(changes, unchanged, dryRun);
}

/** One line per target of the registry: id, URL and interval; a record that is not a valid target says why. */
export async function listTargets(options: RegistryOptions): Promise<string> {
  const current = await currentTargets(options);
  const lines = [...current].map(([id, now]) => ('target' in now ? `${id} ${now.target.url} every ${now.compiled.intervalMs / 1000} s` : `${id} (invalid record: ${now.invalid})`));
  return [...lines, `${current.size} target(s)`].join('\n');
}

/** Removes one target from the registry (a tombstone); a target the registry does not hold is a CommandError. */
export async function deleteTarget(options: RegistryOptions, id: string): Promise<string> {
  const current = await currentTargets(options);
  if (!current.has(id)) throw new CommandError(`target ${id} is not in the registry`);
  await writeRegistry(options, [{ key: id, value: null }]);
  return `- ${id}`;
}
