/** The global router: policies as SGLang's router runs them (see each policy's file). */
export type { RouteRequest, Router, RouterConfig } from "./types.js";
export { createRouter, ROUTER_FACTORIES, ROUTER_POLICIES } from "./create-router.js";
export { resolveRouterConfig, ROUTER_DEFAULTS } from "./router-config.js";
