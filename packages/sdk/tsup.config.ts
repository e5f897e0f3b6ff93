import { defineConfig } from 'tsup';
import { packageJsonNameAndVersion } from '../../scripts/packaging/tsup-package-json.js';

export default defineConfig({
  entry: ['src/index.ts', 'src/gitlab.ts', 'src/lock.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  esbuildPlugins: [packageJsonNameAndVersion()],
});
