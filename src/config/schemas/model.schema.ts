import { schemaRefSchema, sourceSchema } from "./common.schema.js";

/**
 * A transformer architecture, enough to count FLOPs, weight bytes and KV bytes.
 * Dense GQA, MoE (routed + shared experts, leading dense layers) and MLA are all representable.
 */
export const modelSchema = {
  type: "object",
  additionalProperties: false,
  required: [
    "id", "source", "hiddenSize", "numLayers", "numAttentionHeads", "numKeyValueHeads", "headDim",
    "intermediateSize", "vocabSize", "maxContextTokens", "contextLengthTokens", "contextLengthSource",
  ],
  properties: {
    $schema: schemaRefSchema,
    id: { type: "string", minLength: 1 },
    aliases: { type: "array", items: { type: "string" }, default: [] },
    source: sourceSchema,
    nativeWeights: { type: "string", enum: ["bf16", "fp8"], default: "bf16",
      description: "Dtype the checkpoint is published in (DeepSeek-V3 ships fp8)." },
    hiddenSize: { type: "integer", minimum: 1 },
    numLayers: { type: "integer", minimum: 1 },
    numAttentionHeads: { type: "integer", minimum: 1 },
    numKeyValueHeads: { type: "integer", minimum: 1 },
    headDim: { type: "integer", minimum: 1 },
    intermediateSize: { type: "integer", minimum: 1, description: "FFN width of dense layers." },
    vocabSize: { type: "integer", minimum: 1 },
    tieWordEmbeddings: { type: "boolean", default: false },
    maxContextTokens: {
      type: "integer", minimum: 1,
      description: "config.json max_position_embeddings: the context SGLang derives by default (model_config.get_context_length), which sizes its default max_running_requests.",
    },
    contextLengthTokens: {
      type: "integer", minimum: 1,
      description: "Longest request (prompt + answer) the model serves, tokens, with the rope scaling its card documents; longer prompts are an input error (SGLang tokenizer_manager rejects them).",
    },
    contextLengthSource: sourceSchema,
    ropeScaling: {
      type: "object",
      additionalProperties: false,
      required: ["ropeType", "factor", "originalMaxPositionEmbeddings"],
      description: "The rope_scaling its card documents for contexts beyond maxContextTokens, up to contextLengthTokens " +
        "(Qwen3: YaRN). The deploy commands carry it only when a workload's longest request (prompt + answer) needs it.",
      properties: {
        ropeType: { type: "string", enum: ["yarn"] },
        factor: { type: "number", exclusiveMinimum: 1 },
        originalMaxPositionEmbeddings: { type: "integer", minimum: 1 },
      },
    },
    moe: {
      type: "object",
      additionalProperties: false,
      required: ["numExperts", "expertsPerToken", "expertIntermediateSize"],
      properties: {
        numExperts: { type: "integer", minimum: 1 },
        expertsPerToken: { type: "integer", minimum: 1 },
        expertIntermediateSize: { type: "integer", minimum: 1 },
        numSharedExperts: { type: "integer", minimum: 0, default: 0 },
        sharedExpertIntermediateSize: { type: "integer", minimum: 0, default: 0,
          description: "Width of each shared expert; 0 = expertIntermediateSize." },
        firstDenseLayers: { type: "integer", minimum: 0, default: 0,
          description: "Leading layers with a dense FFN of intermediateSize (DeepSeek first_k_dense_replace)." },
      },
    },
    mla: {
      type: "object",
      additionalProperties: false,
      required: ["kvLoraRank", "qkNopeHeadDim", "qkRopeHeadDim", "vHeadDim"],
      properties: {
        qLoraRank: { type: "integer", minimum: 0, default: 0, description: "0 = no query compression." },
        kvLoraRank: { type: "integer", minimum: 1 },
        qkNopeHeadDim: { type: "integer", minimum: 1 },
        qkRopeHeadDim: { type: "integer", minimum: 1 },
        vHeadDim: { type: "integer", minimum: 1 },
      },
    },
  },
} as const;
