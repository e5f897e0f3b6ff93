/**
 * The S5 guard: the only way to build the guided request goes through `guidedAction`,
 * which refuses the cut-off action in any disguise, whether it arrives through
 * configuration, the environment or a crafted value. Nothing is sent before it passes.
 */
import { err, ok, type Result } from 'neverthrow';
import { type HotfixError, hotfixError } from '../../errors.js';
import {
  CUT_OFF_ACTION,
  normalizeAction,
  orchestratorFor,
  projectInputValue,
  type RunbookConfig,
} from '../../runbook-config.js';

declare const guided: unique symbol;

/**
 * An action that passed the S5 guard. Only `guidedAction` makes one, so a plain string,
 * and in particular the literal `'bring-all-code-to-release-branch'`, is not one.
 */
export type GuidedAction = string & { readonly [guided]: 'not the cut-off action' };

// Latin look-alikes from Cyrillic and Greek that NFKC leaves alone.
const CONFUSABLES: Readonly<Record<string, string>> = {
  а: 'a',
  в: 'b',
  е: 'e',
  і: 'i',
  ј: 'j',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  ѕ: 's',
  ԁ: 'd',
  ӏ: 'l',
  һ: 'h',
  ԛ: 'q',
  ԝ: 'w',
  α: 'a',
  β: 'b',
  ε: 'e',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
};

/** Letters and digits only, look-alikes folded: the skeleton two spellings of one action share. */
function skeleton(value: string): string {
  return [...normalizeAction(value)]
    .map((ch) => CONFUSABLES[ch] ?? ch)
    .join('')
    .replace(/[^a-z0-9]/g, '');
}

/** Whether `value` is, or contains, the cut-off action in any disguise (case, whitespace, dashes, look-alikes). */
export function mentionsCutOff(value: string, cutOff: string | undefined): boolean {
  const v = skeleton(value);
  return [CUT_OFF_ACTION, cutOff]
    .filter((c): c is string => typeof c === 'string' && skeleton(c).length >= 8)
    .some((c) => v.includes(skeleton(c)));
}

function forbidden(action: string, source: string): HotfixError {
  return hotfixError(
    'forbidden-action',
    `${source} is the weekly cut-off action "${CUT_OFF_ACTION}" (or a disguise of it); it is never sent for a hotfix. Use the deploy action.`,
    { runbookRef: 'S5', details: { action, source } },
  );
}

/** Brands the configured deploy action after checking it is not the cut-off action (S5). */
export function guidedAction(config: RunbookConfig): Result<GuidedAction, HotfixError> {
  const o = (config as Partial<RunbookConfig> | undefined)?.orchestration;
  const action: unknown = o?.deployAction;
  if (typeof action !== 'string' || action.trim() === '') {
    return err(
      hotfixError('invalid-input', 'orchestration.deployAction is missing from the runbook configuration.', {
        details: {
          pointer: '/orchestration/deployAction',
          issues: [{ pointer: '/orchestration/deployAction', message: 'required' }],
        },
      }),
    );
  }
  if (mentionsCutOff(action, o?.cutOffAction)) return err(forbidden(action, 'config.orchestration.deployAction'));
  return ok(action as GuidedAction);
}

/** Refuses any raw option value (at any depth) that is or contains the cut-off action. */
export function refuseCutOffInValues(
  value: unknown,
  cutOff: string | undefined,
  source: string,
  depth = 0,
): HotfixError | undefined {
  if (typeof value === 'string') return mentionsCutOff(value, cutOff) ? forbidden(value, source) : undefined;
  if (depth > 4 || value === null || typeof value !== 'object' || value instanceof AbortSignal) return undefined;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const found =
      refuseCutOffInValues(k, cutOff, `${source} key`, depth + 1) ??
      refuseCutOffInValues(v, cutOff, `${source}.${k}`, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** The guided request exactly as it is sent: inputs (typed) or variables (strings). */
export type GuidedRequest =
  | {
      readonly via: 'inputs';
      readonly ref: string;
      readonly inputs: Readonly<Record<string, string | boolean>>;
    }
  | {
      readonly via: 'variables';
      readonly ref: string;
      readonly variables: readonly { readonly key: string; readonly value: string }[];
    };

/** Builds the S4 request: action = the guarded deploy action, project = target, confirm = true. */
export function guidedRequest(
  config: RunbookConfig,
  action: GuidedAction,
  target: string,
): Result<GuidedRequest, HotfixError> {
  const o = config.orchestration;
  const names = o.inputNames;
  const keys = [names.action, names.project, names.confirm];
  if (new Set(keys).size !== 3 || keys.some((k) => typeof k !== 'string' || k === '')) {
    return err(
      hotfixError('invalid-input', 'orchestration.inputNames must name three different inputs.', {
        details: {
          pointer: '/orchestration/inputNames',
          issues: [{ pointer: '/orchestration/inputNames', message: 'not distinct' }],
        },
      }),
    );
  }
  const value = projectInputValue(orchestratorFor(config, target), target);
  if (value.isErr()) return err(value.error);
  const projectValue = value.value;
  if (o.inputsVia === 'variables') {
    return ok({
      via: 'variables',
      ref: o.ref,
      variables: [
        { key: names.action, value: action },
        { key: names.project, value: projectValue },
        { key: names.confirm, value: 'true' },
      ],
    });
  }
  return ok({
    via: 'inputs',
    ref: o.ref,
    inputs: {
      [names.action]: action,
      [names.project]: projectValue,
      [names.confirm]: o.confirmType === 'boolean' ? true : 'true',
    },
  });
}
