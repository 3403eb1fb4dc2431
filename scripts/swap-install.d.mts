// Types of swap-install.mjs, for the TypeScript tests that use it.
export const ROOT: string;
export function scratchDir(label: string): string;
export function packSwap(dir: string): Promise<string>;
export function installWithSwap(dir: string, manifest: Record<string, unknown>, tarball: string): Record<string, unknown>;
export function installedMqttPacket(dir: string): [path: string, name: string][];
export function unpackFromRegistry(dir: string, spec: string): string;
