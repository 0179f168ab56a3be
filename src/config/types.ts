/** Types derived from the schemas; no hand-written config interfaces. */
import type { FromSchema } from "json-schema-to-ts";
import type { deploymentSchema, engineSchema, kvCacheSchema, routerSchema } from "./schemas/deployment.schema.js";
import type { gpuSchema } from "./schemas/gpu.schema.js";
import type { kvMediaSchema } from "./schemas/kv-media.schema.js";
import type { modelSchema } from "./schemas/model.schema.js";
import type { pricesSchema } from "./schemas/prices.schema.js";
import type { nightlyPlanSchema } from "./schemas/nightly-plan.schema.js";
import type { searchSpaceSchema } from "./schemas/search-space.schema.js";
import type { sloSpecSchema } from "./schemas/slo-spec.schema.js";
import type {
  closedLoopWorkloadSchema, lengthDistSchema, syntheticWorkloadSchema, traceWorkloadSchema,
} from "./schemas/workload.schema.js";

type Opt = { keepDefaultedPropertiesOptional: true };

/** As written in a file (defaults may be missing). */
export type ModelInput = FromSchema<typeof modelSchema, Opt>;
/** After validation with defaults applied. */
export type ModelSpec = FromSchema<typeof modelSchema>;
export type GpuSpec = FromSchema<typeof gpuSchema>;
export type KvMediaSpec = FromSchema<typeof kvMediaSchema>;
export type PriceList = FromSchema<typeof pricesSchema>;
export type NightlyPlan = FromSchema<typeof nightlyPlanSchema>;

export type DeploymentInput = FromSchema<typeof deploymentSchema, Opt>;
export type Deployment = FromSchema<typeof deploymentSchema>;
export type EngineConfigInput = FromSchema<typeof engineSchema, Opt>;
export type RouterConfigInput = FromSchema<typeof routerSchema, Opt>;
export type KvCacheConfigInput = FromSchema<typeof kvCacheSchema, Opt>;

export type LengthDist = FromSchema<typeof lengthDistSchema>;
export type SyntheticWorkload = FromSchema<typeof syntheticWorkloadSchema>;
export type TraceWorkload = FromSchema<typeof traceWorkloadSchema>;
export type ClosedLoopWorkload = FromSchema<typeof closedLoopWorkloadSchema>;
export type WorkloadSpec = SyntheticWorkload | TraceWorkload | ClosedLoopWorkload;

export type SloSpec = FromSchema<typeof sloSpecSchema>;
export type SearchSpace = FromSchema<typeof searchSpaceSchema>;

export type WeightDtype = Deployment["weights"];
export type KvDtype = Deployment["kvDtype"];
export type EngineKind = Deployment["engine"]["kind"];
export type RouterPolicy = Deployment["router"]["policy"];
