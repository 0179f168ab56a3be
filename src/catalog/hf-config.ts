/**
 * Reads the architecture fields of a Hugging Face `config.json` into a ModelSpec.
 * Pure: takes the parsed JSON, returns the spec or the list of missing fields.
 */
import type { InputIssue } from "../errors.js";
import type { ModelInput } from "../config/types.js";

type Json = Record<string, unknown>;

const show = (v: unknown): string => {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
};

/**
 * Maps HF config fields (llama, qwen2/3, qwen3_moe, mixtral, deepseek_v2/v3 naming) to our model
 * schema. Vision-language configs are read from their `text_config`.
 */
export function modelFromHfConfig(raw: Json, id: string, file: string): { model?: ModelInput; issues: InputIssue[] } {
  const cfg = (typeof raw.text_config === "object" && raw.text_config !== null ? raw.text_config : raw) as Json;
  const issues: InputIssue[] = [];
  const base = cfg === raw ? "" : "/text_config";
  /**
   * The first of `keys` present in the config, which must be a positive integer (every architecture
   * field is a count or a size): a field of the wrong type is an error, never silently replaced by a
   * default (`num_key_value_heads: "eight"` would otherwise mean plain multi-head attention).
   */
  const num = (...keys: string[]): number | undefined => {
    for (const k of keys) {
      const v = cfg[k];
      if (v === undefined || v === null) continue;
      if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 2 ** 31 - 1) {
        issues.push({ file, path: `${base}/${k}`, message: `expected a non-negative integer, got ${show(v)}` });
        return undefined;
      }
      return v;
    }
    return undefined;
  };
  const need = (path: string, v: number | undefined): number => {
    if (v === undefined && !issues.some((i) => i.path === `${base}/${path}`)) {
      issues.push({ file, path: `${base}/${path}`, message: "expected a number (architecture field missing)" });
    }
    return v ?? 0;
  };
  const hidden = need("hidden_size", num("hidden_size", "d_model"));
  const layers = need("num_hidden_layers", num("num_hidden_layers", "n_layer", "num_layers"));
  const heads = need("num_attention_heads", num("num_attention_heads", "n_head"));
  const kvHeads = num("num_key_value_heads", "num_kv_heads") ?? heads;
  const vocab = need("vocab_size", num("vocab_size"));
  const inter = need("intermediate_size", num("intermediate_size", "ffn_dim"));
  const headDim = num("head_dim") ?? (heads > 0 ? Math.floor(hidden / heads) : 0);
  const maxCtx = num("max_position_embeddings", "seq_length", "max_sequence_length") ?? 32768;
  const experts = num("num_experts", "n_routed_experts", "num_local_experts");
  const moe = {
    expertsPerToken: num("num_experts_per_tok", "moe_top_k", "top_k"),
    expertIntermediateSize: num("moe_intermediate_size"),
    sharedExperts: num("n_shared_experts"),
    sharedSize: num("shared_expert_intermediate_size"),
    firstDense: num("first_k_dense_replace"),
  };
  const kvLora = num("kv_lora_rank");
  const mla = { q: num("q_lora_rank"), nope: num("qk_nope_head_dim"), rope: num("qk_rope_head_dim"), v: num("v_head_dim") };
  if (heads > 0 && kvHeads > heads) {
    issues.push({ file, path: `${base}/num_key_value_heads`, message: `expected at most num_attention_heads (${heads}), got ${kvHeads}` });
  }
  if (heads > 0 && kvHeads > 0 && heads % kvHeads !== 0) {
    issues.push({ file, path: `${base}/num_key_value_heads`, message: `expected a divisor of num_attention_heads (${heads}), got ${kvHeads}` });
  }
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
    // What SGLang serves by default (model_config.get_context_length reads max_position_embeddings).
    contextLengthTokens: maxCtx,
    contextLengthSource: `max_position_embeddings of ${file}`,
  };
  if (experts !== undefined && experts > 1) {
    model.moe = {
      numExperts: experts,
      expertsPerToken: moe.expertsPerToken ?? 2,
      expertIntermediateSize: moe.expertIntermediateSize ?? inter,
      numSharedExperts: moe.sharedExperts ?? ((moe.sharedSize ?? 0) > 0 ? 1 : 0),
      sharedExpertIntermediateSize: moe.sharedSize ?? 0,
      firstDenseLayers: moe.firstDense ?? 0,
    };
  }
  if (kvLora !== undefined && kvLora > 0) {
    model.mla = {
      qLoraRank: mla.q ?? 0,
      kvLoraRank: kvLora,
      qkNopeHeadDim: mla.nope ?? 128,
      qkRopeHeadDim: mla.rope ?? 64,
      vHeadDim: mla.v ?? 128,
    };
  }
  const q = cfg.quantization_config as Json | undefined;
  if (q && typeof q === "object" && String(q.quant_method ?? "").includes("fp8")) model.nativeWeights = "fp8";
  return { model, issues };
}
