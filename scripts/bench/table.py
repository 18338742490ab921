#!/usr/bin/env python3
"""Ratio table of two bench JSON files (original.py and benches/compare.rs): one row per workload,
milliseconds per image on each side and the speed-up original / ours."""
import json
import platform
import sys

# Rust-only workloads and the original's workload (or sum of workloads) they stand in for.
EQUIV = {
    "rezghi_forward_dense": ["rezghi_forward"],
    "fused_conv1_fire": ["op_conv1", "op_fire"],
    "rezghi_l1_step_dense": ["rezghi_l1_step"],
}
# Goals of issue 7 (speed-up at least).
GOAL = {"rezghi_forward": 10, "rezghi_l1_step": 5, "rezghi_l2_step": 5,
        "kheradpisheh_forward": 5, "mozafari_forward": 5}


def main(orig_path, rust_path, json_out, md_out):
    o = json.load(open(orig_path))
    r = json.load(open(rust_path))
    b = r["batch"]
    rows = []
    for name, sec in r["seconds"].items():
        keys = EQUIV.get(name, [name])
        if not all(k in o["seconds"] for k in keys):
            continue
        so = sum(o["seconds"][k] for k in keys)
        rows.append({"name": name, "original": "+".join(keys), "original_ms_per_image": 1e3 * so / b,
                     "ours_ms_per_image": 1e3 * sec / b, "speedup": so / sec,
                     "goal": GOAL.get(name, 1)})
    meta = {"threads": r["threads"], "batch": b, "machine": platform.processor() or platform.machine(),
            "exact_sums": r.get("exact_sums")}
    json.dump({"meta": meta, "rows": rows}, open(json_out, "w"), indent=1)
    lines = [f"threads {r['threads']}, batch {b}, T = 15, bundled digits; ms per image (call time / batch)", "",
             "| workload | original (ms/img) | ours (ms/img) | speed-up | goal |", "|---|---:|---:|---:|---:|"]
    for x in rows:
        ok = "ok" if x["speedup"] >= x["goal"] else "**below**"
        lines.append(f"| {x['name']} | {x['original_ms_per_image']:.3f} | {x['ours_ms_per_image']:.3f} | "
                     f"{x['speedup']:.2f}x | {x['goal']}x {ok} |")
    po, pr, ph = o.get("peak_mb") or {}, r.get("peak_mb") or {}, r.get("heap_mb") or {}
    mem = [(n, po[n], pr[n], ph.get(n)) for n in pr if n in po and po[n] and pr[n] is not None]
    if mem:
        lines += ["", "Peak memory one call adds (MiB). Resident: VmHWM after a `clear_refs` reset, both "
                  "sides the same way (ours reuses freed heap, so it can read 0). Heap: our counting "
                  "allocator's high-water mark above the live heap before the call (every tensor of "
                  "ours is heap), the stricter figure for ours:", "",
                  "| workload | original resident | ours resident | ours heap | ours heap / original |",
                  "|---|---:|---:|---:|---:|"]
        lines += [f"| {n} | {a:.1f} | {b:.1f} | {'-' if h is None else f'{h:.1f}'} | "
                  f"{'-' if h is None else f'{h / a:.2f}'} |" for n, a, b, h in mem]
    open(md_out, "w").write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(*sys.argv[1:5])
