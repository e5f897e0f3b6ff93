import type { SimServices } from '../_internal/router.js';
import type { SimClock } from '../clock.js';
import type { SimState } from '../state.js';

/** What every resource module receives when it registers its routes. */
export interface ResourceDeps {
  readonly state: SimState;
  readonly clock: SimClock;
  readonly services: SimServices;
  /** Root folder of repositories and state. */
  readonly root: string;
  /** Base URL of the running server (known once it listens). */
  readonly getBaseUrl: () => string;
}
