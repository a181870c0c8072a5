// jest loads global set-up outside its ESM pipeline, so the TypeScript is loaded by tsx.
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup() {
  const { provideServices } = await tsImport('./services.ts', import.meta.url);
  // jest shares globalThis between global set-up and teardown (and nothing else).
  globalThis.sitewatchStopServices = await provideServices();
}
