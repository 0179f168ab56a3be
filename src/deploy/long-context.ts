/**
 * Serving requests longer than a model's native context: the rope scaling its card documents
 * (Qwen3: YaRN factor 4 over 32,768 positions, "Processing Long Texts" on the Qwen3 model cards),
 * written into the launch commands only when the workload needs it, because every engine implements
 * static YaRN, which the cards warn can lower quality on short texts.
 */
import type { ModelSpec } from "../config/types.js";

export interface LongContext {
  /** config.json's `rope_scaling` as JSON text (snake_case keys, the factor written as a float). */
  ropeScalingJson: string;
  /** The context the scaled model serves, tokens (the catalog's contextLengthTokens). */
  contextLengthTokens: number;
  note: string;
}

/** A number as Python's json writes a float: 4 -> "4.0". */
function floatText(x: number): string {
  return Number.isInteger(x) ? x.toFixed(1) : String(x);
}

/**
 * The rope scaling `model` needs for a workload whose longest request (prompt + answer) is
 * `longestRequestTokens`; undefined within the native context (config.json's
 * max_position_embeddings, `maxContextTokens`), or when the model documents none.
 */
export function longContextFor(model: ModelSpec, longestRequestTokens: number | undefined): LongContext | undefined {
  const rs = model.ropeScaling;
  if (!rs || longestRequestTokens === undefined || longestRequestTokens <= model.maxContextTokens) return undefined;
  const n = (x: number) => x.toLocaleString("en-US");
  return {
    ropeScalingJson: `{"rope_type":"${rs.ropeType}","factor":${floatText(rs.factor)},"original_max_position_embeddings":${rs.originalMaxPositionEmbeddings}}`,
    contextLengthTokens: model.contextLengthTokens,
    note: `The workload's longest request (${n(longestRequestTokens)} tokens, prompt + answer) exceeds ${model.id}'s native ` +
      `${n(model.maxContextTokens)}-token context: the commands enable ${rs.ropeType === "yarn" ? "YaRN" : rs.ropeType} rope scaling ` +
      `(factor ${floatText(rs.factor)} over ${n(rs.originalMaxPositionEmbeddings)} positions) for a ${n(model.contextLengthTokens)}-token context, ` +
      "as the model card documents; static scaling can lower quality on short prompts.",
  };
}
