/**
 * Reads the architecture fields of a Hugging Face `config.json` into a ModelSpec.
 * Pure: takes the parsed JSON, returns the spec or the list of missing fields.
 */
import type { InputIssue } from "../errors.js";
import type { ModelInput } from "../config/types.js";

type Json = Record<string, unknown>;

function num(cfg: Json, ...keys: string[]): number | undefined {
  for (const k of keys) {
    const v = cfg[k];
    if (typeof v === "number" && Number.isFinite(v)) return v;
  }
  return undefined;
}

/**
 * Maps HF config fields (llama, qwen2/3, qwen3_moe, mixtral, deepseek_v2/v3 naming) to our model
 * schema. Vision-language configs are read from their `text_config`.
 */
export function modelFromHfConfig(raw: Json, id: string, file: string): { model?: ModelInput; issues: InputIssue[] } {
  const cfg = (typeof raw.text_config === "object" && raw.text_config !== null ? raw.text_config : raw) as Json;
  const issues: InputIssue[] = [];
  const need = (path: string, v: number | undefined): number => {
    if (v === undefined) issues.push({ file, path: `/${path}`, message: "expected a number (architecture field missing)" });
    return v ?? 0;
  };
  const hidden = need("hidden_size", num(cfg, "hidden_size", "d_model"));
  const layers = need("num_hidden_layers", num(cfg, "num_hidden_layers", "n_layer", "num_layers"));
  const heads = need("num_attention_heads", num(cfg, "num_attention_heads", "n_head"));
  const kvHeads = num(cfg, "num_key_value_heads", "num_kv_heads") ?? heads;
  const vocab = need("vocab_size", num(cfg, "vocab_size"));
  const inter = need("intermediate_size", num(cfg, "intermediate_size", "ffn_dim"));
  const headDim = num(cfg, "head_dim") ?? (heads > 0 ? Math.floor(hidden / heads) : 0);
  const maxCtx = num(cfg, "max_position_embeddings", "seq_length", "max_sequence_length") ?? 32768;
  if (issues.length > 0) return { issues };

  const model: ModelInput = {
    id,
    aliases: [],
    source: `Hugging Face config ${file}`,
    hiddenSize: hidden,
    numLayers: layers,
    numAttentionHeads: heads,
    numKeyValueHeads: kvHeads,
    headDim,
    intermediateSize: inter,
    vocabSize: vocab,
    tieWordEmbeddings: cfg.tie_word_embeddings === true,
    maxContextTokens: maxCtx,
  };
  const experts = num(cfg, "num_experts", "n_routed_experts", "num_local_experts");
  if (experts !== undefined && experts > 1) {
    model.moe = {
      numExperts: experts,
      expertsPerToken: num(cfg, "num_experts_per_tok", "moe_top_k", "top_k") ?? 2,
      expertIntermediateSize: num(cfg, "moe_intermediate_size") ?? inter,
      numSharedExperts: num(cfg, "n_shared_experts") ?? ((num(cfg, "shared_expert_intermediate_size") ?? 0) > 0 ? 1 : 0),
      sharedExpertIntermediateSize: num(cfg, "shared_expert_intermediate_size") ?? 0,
      firstDenseLayers: num(cfg, "first_k_dense_replace") ?? 0,
    };
  }
  const kvLora = num(cfg, "kv_lora_rank");
  if (kvLora !== undefined && kvLora > 0) {
    model.mla = {
      qLoraRank: num(cfg, "q_lora_rank") ?? 0,
      kvLoraRank: kvLora,
      qkNopeHeadDim: num(cfg, "qk_nope_head_dim") ?? 128,
      qkRopeHeadDim: num(cfg, "qk_rope_head_dim") ?? 64,
      vHeadDim: num(cfg, "v_head_dim") ?? 128,
    };
  }
  const q = cfg.quantization_config as Json | undefined;
  if (q && typeof q === "object" && String(q.quant_method ?? "").includes("fp8")) model.nativeWeights = "fp8";
  return { model, issues };
}
