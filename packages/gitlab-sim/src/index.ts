export type { SimResponse } from './_internal/http.js';
export { ApiError, Query } from './_internal/http.js';
export type { Handler, RequestContext, SimServices } from './_internal/router.js';
export { Router } from './_internal/router.js';
export type { CiControls, HealthOverride, JobOutcome } from './ci/engine.js';
export { ciControls } from './ci/engine.js';
export type { CiSettings } from './ci/lifecycle.js';
export { SimClock } from './clock.js';
export type { FaultKind, FaultRule, LoggedRequest } from './controls.js';
export { SimControls } from './controls.js';
export type { RealisticOption, RealisticSwitch, RealisticSwitches, SimMode } from './realistic.js';
export { parseSimMode, REALISTIC_SWITCHES } from './realistic.js';
export type {
  BuilderContext,
  FileMap,
  MergeRequestSpec,
  ProjectBuilder,
  ScenarioBuilder,
} from './scenarios/builder.js';
export { createScenarioBuilder } from './scenarios/builder.js';
export type { DemoMergeRequestRef } from './scenarios/demo.js';
export { demoScenarioInfo } from './scenarios/demo.js';
export { demoCiFiles } from './scenarios/demo-ci.js';
export type { Scenario, ScenarioContext } from './scenarios/index.js';
export { registerScenario, scenarioNames } from './scenarios/index.js';
export type { GitLabSim, GitLabSimOptions } from './server.js';
export { startGitLabSim } from './server.js';
export type {
  SimInstance,
  SimLabel,
  SimMergeRequest,
  SimNote,
  SimProject,
  SimProtectedBranch,
  SimToken,
  SimUser,
} from './state.js';
export { ACCESS, DEFAULT_SIM_INSTANCE, SimState } from './state.js';
