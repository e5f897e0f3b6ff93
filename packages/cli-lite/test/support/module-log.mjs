// Loaded with `node --import` in tests: appends the URL of every module the process resolves to
// the file named by HOTFIX_MODULE_LOG, so a test can prove what a command did not load.
import { register } from 'node:module';

const hooks = `
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (process.env.HOTFIX_MODULE_LOG) appendFileSync(process.env.HOTFIX_MODULE_LOG, r.url + '\\n');
  return r;
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
