// Stops what global-setup.mjs started: nothing when the stack was already up.
export default async function globalTeardown() {
  await globalThis.sitewatchStopServices?.();
}
