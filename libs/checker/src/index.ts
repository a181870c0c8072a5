export { blockNetworksSchema, checkBlockNetworks, privateNetworks } from './lib/blocked-networks.js';
export { CheckerError, checkerErrorCodes, type CheckerErrorCode } from './lib/errors.js';
export { checkTarget, type CheckOptions } from './lib/http-check.js';
export { checkResolverOptions, createResolver, resolverOptionsSchema, type AddressFamily, type Resolver, type ResolverOptions } from './lib/resolver.js';
export { createScheduler, nextSlotAfter, schedulerOptionsSchema, slotPhase, type Scheduler, type SchedulerOptions, type SchedulerStats } from './lib/scheduler.js';
export { checkTargetsFile, targetsFileSchema, type TargetsFile } from './lib/targets-file.js';
export { compileTarget, compileTargets, type CheckMethod, type CompiledTarget, type HeaderCondition, type JsonCondition, type Target, type TargetSettings } from './lib/target.js';
export { createAssignedTargets, type AssignedTargets, type AssignedTargetsOptions, type AssignedTargetsStats, type TargetRecord } from './lib/assigned-targets.js';
