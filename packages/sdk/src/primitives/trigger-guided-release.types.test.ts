/**
 * Type-level guarantees of the typed API (S5): the cut-off action cannot be passed.
 * `tsc` checks this file (each `@ts-expect-error` must hold); vitest runs the assertions.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type { AwaitEnvironmentOptions } from './await-environment.js';
import type { TriggerAndAwaitTargetsOptions } from './trigger-and-await-targets.js';
import type { GuidedAction, GuidedRequest } from './trigger-guided-release/guard.js';
import type { TriggeredPipeline, TriggerGuidedReleaseOptions } from './trigger-guided-release.js';

const CUT_OFF = 'bring-all-code-to-release-branch' as const;

describe('triggerGuidedRelease types', () => {
  it('has no action option at all', () => {
    expectTypeOf<TriggerGuidedReleaseOptions>().not.toHaveProperty('action');
    expectTypeOf<TriggerAndAwaitTargetsOptions>().not.toHaveProperty('action');
    expectTypeOf<NonNullable<TriggerAndAwaitTargetsOptions['trigger']>>().not.toHaveProperty('action');
    expectTypeOf<AwaitEnvironmentOptions>().not.toHaveProperty('action');
    // @ts-expect-error the action is not an option: it is the configured deploy action, guarded at runtime too
    const crafted: TriggerGuidedReleaseOptions = { target: 'evenergi/charging-api', action: CUT_OFF };
    void crafted;
    // @ts-expect-error nor can inputs be passed through
    const smuggled: TriggerGuidedReleaseOptions = { target: 'evenergi/charging-api', inputs: { action: CUT_OFF } };
    void smuggled;
  });

  it('accepts only a guarded action where the request names one', () => {
    expectTypeOf<typeof CUT_OFF>().not.toExtend<GuidedAction>();
    expectTypeOf<string>().not.toExtend<GuidedAction>();
    expectTypeOf<GuidedAction>().toExtend<string>();
    // @ts-expect-error a plain string (the cut-off literal included) is not a GuidedAction
    const action: GuidedAction = CUT_OFF;
    void action;
  });

  it('types confirm as a boolean in inputs and as a string in variables', () => {
    type Inputs = Extract<GuidedRequest, { via: 'inputs' }>['inputs'];
    expectTypeOf<Inputs[string]>().toEqualTypeOf<string | boolean>();
    type Vars = Extract<GuidedRequest, { via: 'variables' }>['variables'][number]['value'];
    expectTypeOf<Vars>().toEqualTypeOf<string>();
    expectTypeOf<TriggeredPipeline['request']>().toEqualTypeOf<GuidedRequest>();
  });

  it('requires maxWaitMs for awaitEnvironment', () => {
    expectTypeOf<AwaitEnvironmentOptions['maxWaitMs']>().toEqualTypeOf<number>();
    // @ts-expect-error maxWaitMs is required
    const noBound: AwaitEnvironmentOptions = { pipeline: { id: 1 }, target: 'a/b', expectedSha: 'abcdef1' };
    void noBound;
  });
});
