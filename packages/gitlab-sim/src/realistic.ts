/**
 * The realistic mode: one switch per way a real GitLab cooperates less than the default
 * simulator. Each switch stands for a documented GitLab behaviour (see the README's
 * "Realistic mode" table); `true` turns on all of them.
 */

/** The names of the realistic-mode switches, in the order the README lists them. */
export const REALISTIC_SWITCHES = [
  'noInputName',
  'triggerApiDownstream',
  'ignoreCreatedFilters',
  'variablesNeedMaintainer',
  'protectedOrchestrationRef',
  'omitOptionalFields',
] as const;

/** One realistic-mode switch. */
export type RealisticSwitch = (typeof REALISTIC_SWITCHES)[number];

/** Which realistic behaviours are on (every switch present). */
export type RealisticSwitches = Readonly<Record<RealisticSwitch, boolean>>;

/** How a caller asks for realistic behaviour: `true` (all), `false` (none) or some switches by name. */
export type RealisticOption = boolean | Readonly<Partial<Record<RealisticSwitch, boolean>>>;

/** Every switch turned to `value`. */
function all(value: boolean): RealisticSwitches {
  return Object.fromEntries(REALISTIC_SWITCHES.map((s) => [s, value])) as Record<RealisticSwitch, boolean>;
}

/** The full switch set for an option; missing switches are off, `undefined` is the cooperative mode. */
export function resolveRealistic(option: RealisticOption | undefined): RealisticSwitches {
  if (option === undefined || typeof option === 'boolean') return all(option === true);
  const unknown = Object.keys(option).filter((k) => !(REALISTIC_SWITCHES as readonly string[]).includes(k));
  if (unknown.length) {
    throw new Error(`unknown realistic switch "${unknown[0]}" (known: ${REALISTIC_SWITCHES.join(', ')})`);
  }
  return { ...all(false), ...option };
}

/** Whether any realistic switch is on. */
export function isRealistic(switches: RealisticSwitches): boolean {
  return REALISTIC_SWITCHES.some((s) => switches[s]);
}

/** A simulator mode as a test matrix names it. */
export interface SimMode {
  /** `cooperative` (every switch off) or `realistic` (at least one on). */
  readonly name: 'cooperative' | 'realistic';
  /** The switches to pass as `startGitLabSim({ realistic })`. */
  readonly realistic: RealisticSwitches;
}

/**
 * Reads a mode as test matrices spell it (the `HOTFIX_SIM_MODE` convention): empty or
 * `cooperative`; `realistic` (every switch); `realistic:<switch>,<switch>` (only those).
 * Throws on anything else, naming the accepted values, so a typo never runs the wrong matrix.
 */
export function parseSimMode(value: string | undefined): SimMode {
  const v = (value ?? '').trim();
  if (v === '' || v === 'cooperative') return { name: 'cooperative', realistic: all(false) };
  if (v === 'realistic') return { name: 'realistic', realistic: all(true) };
  if (v.startsWith('realistic:')) {
    const names = v
      .slice('realistic:'.length)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const picked = Object.fromEntries(names.map((n) => [n, true]));
    const realistic = resolveRealistic(picked);
    if (isRealistic(realistic)) return { name: 'realistic', realistic };
  }
  throw new Error(
    `simulator mode "${v}" is not one of: cooperative, realistic, realistic:<switch>[,<switch>] (switches: ${REALISTIC_SWITCHES.join(', ')})`,
  );
}
