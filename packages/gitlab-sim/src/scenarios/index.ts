import type { SimServices } from '../_internal/router.js';
import type { SimClock } from '../clock.js';
import type { RealisticSwitches } from '../realistic.js';
import type { SimState } from '../state.js';

/** What a scenario gets to seed the simulator. */
export interface ScenarioContext {
  readonly state: SimState;
  readonly clock: SimClock;
  readonly root: string;
  /** The seeded admin user (owner of everything a scenario creates). */
  readonly adminId: number;
  readonly services: SimServices;
  readonly baseUrl: string;
  /**
   * The realistic-mode switches of this simulator, so a scenario seeds what that mode needs
   * (the demo: an orchestrator that calls the trigger API, a protected orchestration branch).
   */
  readonly realistic: RealisticSwitches;
}

/** A named scenario: seeds users, projects, repositories, MRs and CI configuration. */
export type Scenario = (ctx: ScenarioContext) => Promise<void>;

const scenarios = new Map<string, Scenario>([['empty', async () => {}]]);

/** Registers a named scenario (later registrations replace earlier ones). */
export function registerScenario(name: string, scenario: Scenario): void {
  scenarios.set(name, scenario);
}

/** The names of every registered scenario. */
export function scenarioNames(): string[] {
  return [...scenarios.keys()];
}

/** Runs the named scenario; an unknown name is an error listing the known ones. */
export async function runScenario(name: string, ctx: ScenarioContext): Promise<void> {
  const scenario = scenarios.get(name);
  if (!scenario) throw new Error(`unknown scenario "${name}" (known: ${scenarioNames().join(', ')})`);
  await scenario(ctx);
}
