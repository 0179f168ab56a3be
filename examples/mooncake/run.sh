#!/usr/bin/env bash
# Runs every deployment of this folder on a Mooncake workload and prints one line each.
# Usage (from the repository root, after `npm run build`):
#   examples/mooncake/run.sh [workload.json] [seed]
# Default workload: examples/mooncake/workload.json (the full conversation trace).
set -euo pipefail
dir=$(dirname "$0")
workload=${1:-$dir/workload.json}
seed=${2:-1}
printf '%-30s %7s %7s %7s %7s %9s %9s %5s %8s\n' deployment hit l1 l2 l3 ttftMean ttftP99 rej usdPerH
for d in gpu-round_robin gpu-cache_aware gpu-power_of_two gpu-bucket gpu-least_load gpu-random \
         l2-round_robin l2-cache_aware pool-best-effort-cache_aware pool-round_robin pool-cache_aware \
         local3m-round_robin local3m-cache_aware global24m-round_robin global24m-cache_aware; do
  node dist/cli/main.js simulate --deployment "$dir/$d.json" --workload "$workload" --seed "$seed" --json |
    node -e '
      let s = "";
      process.stdin.on("data", (c) => (s += c)).on("end", () => {
        const r = JSON.parse(s), h = r.prefixHitRate, f = (x, d) => x.toFixed(d);
        console.log([process.argv[1].padEnd(30), f(h.total, 4).padStart(7), f(h.l1, 4).padStart(7), f(h.l2, 4).padStart(7),
          f(h.l3, 4).padStart(7), f(r.ttftMs.mean, 0).padStart(9), f(r.ttftMs.p99, 0).padStart(9), String(r.rejected).padStart(5),
          f(r.costUsdPerHour, 2).padStart(8)].join(" "));
      });' "$d"
done
