#!/usr/bin/env python3
"""Turns bench/run.sh's raw rows (WORK/results.tsv: step, n, run, wall_s,
cpu_s, rss_kb) into a Markdown section appended to bench/RESULTS.md, and a
gnuplot PNG of association time against registry size. Every figure printed
is computed from the rows; nothing else."""
import argparse
import datetime
import os
import platform
import statistics
import subprocess
from collections import defaultdict

DESC = {
    "ingest_headers": ("ingest", "header ingest of the simulated tree (`ingest directory`, fresh db)", "files"),
    "nc_floor": ("ingest", "floor: walk + `nc_open`+`nc_close` of the same netCDF files (`nc_floor`)", "files"),
    "ingest_names": ("ingest", "names-only ingest of zero-byte files (`ingest directory --names-only`, fresh db)", "files"),
    "rescan_names": ("ingest", "re-scan of the unchanged names-only tree (same command again)", "files"),
    "assoc_write_registry": ("assoc", "writing the synthetic registry (db::write_synthetic; setup, 1 run)", "obs"),
    "assoc_engine_full_first": ("assoc", "engine: first full generation (no state, no groups yet; 1 run)", "obs"),
    "assoc_engine_full": ("assoc", "engine: full generation (`assoc::generate`, Mode::full)", "obs"),
    "assoc_engine_incr": ("assoc", "engine: incremental, 0.1 % new (the newest)", "obs"),
    "assoc_engine_incr_late": ("assoc", "engine: incremental, 0.1 % late arrivals (random older start times)", "obs"),
    "assoc_cli_full": ("assoc", "CLI: `assoc generate --full`", "obs"),
    "assoc_cli_incr": ("assoc", "CLI: `assoc generate --incremental`, 0.1 % new", "obs"),
    "assoc_cli_incr_late": ("assoc", "CLI: `assoc generate --incremental`, 0.1 % late arrivals", "obs"),
    "assoc_driver_peak": ("assoc", "driver process peak (generation + engine runs; CPU = whole process)", "obs"),
    "query_engine_obs": ("query", "engine: `db::query_obs` one ics obsnum spec (read-only session)", "obs"),
    "query_cli_obs": ("query", "CLI: `query obs SPEC`", "obs"),
    "query_cli_stats": ("query", "CLI: `query stats`", "obs"),
    "query_cli_export_obs": ("query", "CLI: `query export obs.parquet --what obs` (all observations)", "obs"),
    "query_cli_export_files": ("query", "CLI: `query export files.parquet --what files` (all file rows)", "obs"),
}
ORDER = list(DESC)


def fmt_s(s):
    if s is None:
        return "—"
    if s < 1e-3:
        return f"{s * 1e6:.0f} µs"
    if s < 1:
        return f"{s * 1e3:.1f} ms"
    return f"{s:.2f} s"


def fmt_n(n):
    return f"{n:,}".replace(",", " ")


def fmt_rss(kb):
    if kb is None or kb < 0:
        return "—"
    if kb >= 1024 * 1024:
        return f"{kb / 1024 / 1024:.2f} GiB"
    return f"{kb / 1024:.0f} MiB"


def main():
    ap = argparse.ArgumentParser()
    for a in ["tsv", "scale", "runs", "jobs", "command", "commit", "load", "files", "plot", "results", "elapsed"]:
        ap.add_argument("--" + a, required=True)
    ap.add_argument("--note", default="")
    o = ap.parse_args()

    rows = defaultdict(list)  # (step, n) -> [(run, wall, cpu, rss)]
    with open(o.tsv) as f:
        for line in f:
            step, n, run, wall, cpu, rss = line.rstrip("\n").split("\t")
            rows[(step, int(n))].append((int(run), float(wall), float(cpu), int(rss)))

    def med(step, n, col=1):
        v = [r[col] for r in rows.get((step, n), [])]
        return statistics.median(v) if v else None

    def by_run(step, n):
        return {r[0]: r for r in rows.get((step, n), [])}

    def paired_ratio(a, b, n, col=1):
        """Median over runs of a/b, pairing runs of the same index (side by side)."""
        ra, rb = by_run(a, n), by_run(b, n)
        v = [ra[i][col] / rb[i][col] for i in ra if i in rb and rb[i][col] > 0]
        return (statistics.median(v), min(v), max(v)) if v else None

    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    cpu_model = "?"
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                cpu_model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    cores = os.cpu_count()
    load1 = [float(x.split()[0]) for x in o.load.split("/")]
    loaded = max(load1) > 0.5 * cores

    out = []
    out.append(f"\n## scale: `bench/run.sh --scale {o.scale}` (issue 8), {now}\n")
    out.append(f"- Command: `{o.command}` ({o.elapsed} s in all)")
    out.append(f"- Machine: {cores} cores ({cpu_model}), {mem_gib:.1f} GiB memory, {platform.system()} "
               f"{platform.release()}; load average (1/5/15 min) before / after: {o.load}")
    if loaded:
        out.append(f"- **LOADED MACHINE**: the 1-minute load average was above half the core count "
                   f"(other processes were running); wall times are inflated, CPU columns are the steadier figure.")
    out.append(f"- Commit: {o.commit}; Release build; --jobs {o.jobs}; each figure: median of {o.runs} runs "
               f"[min – max]; peak RSS = max over the runs (wait4 of the process; — for in-process engine calls, "
               f"see the CLI row of the same step)")
    if o.note:
        out.append(f"- Note: {o.note}")
    out.append("")
    out.append("| step | size | wall median [min – max] | rate | CPU median | peak RSS |")
    out.append("|---|---|---|---|---|---|")
    keys = sorted(rows, key=lambda k: (ORDER.index(k[0]) if k[0] in ORDER else 99, k[1]))
    sections = ["ingest", "assoc", "query"]
    for sec in sections:
        for step, n in keys:
            if DESC.get(step, ("?",))[0] != sec:
                continue
            d = DESC[step]
            walls = [r[1] for r in rows[(step, n)]]
            rss = [r[3] for r in rows[(step, n)] if r[3] >= 0]
            m = statistics.median(walls)
            rng = f"{fmt_s(m)} [{fmt_s(min(walls))} – {fmt_s(max(walls))}]" if len(walls) > 1 else fmt_s(m)
            if step == "assoc_driver_peak":
                rng, rate = "—", "—"
            elif d[2] == "files" and m > 0:
                rate = f"{n / m:,.0f} files/s".replace(",", " ")
            else:
                rate = ""
            size = f"{fmt_n(n)} {d[2]}"
            out.append(f"| {d[1]} | {size} | {rng} | {rate} | {fmt_s(med(step, n, 2))} | "
                       f"{fmt_rss(max(rss) if rss else None)} |")

    # Ratios, from runs side by side.
    out.append("")
    out.append("Ratios (median over runs of the per-run ratio, runs paired side by side [min – max]):")
    out.append("")
    out.append("| ratio | size | wall | CPU |")
    out.append("|---|---|---|---|")

    def ratio_row(label, a, b, n):
        w, c = paired_ratio(a, b, n, 1), paired_ratio(a, b, n, 2)
        if w is None:
            return
        f3 = lambda t: f"{t[0]:.3f} [{t[1]:.3f} – {t[2]:.3f}]" if t else "—"
        out.append(f"| {label} | {fmt_n(n)} | {f3(w)} | {f3(c)} |")

    for step, n in keys:
        if step == "ingest_headers":
            ratio_row("header ingest / nc_open+nc_close floor", "ingest_headers", "nc_floor", n)
    for step, n in keys:
        if step == "assoc_engine_full":
            ratio_row("engine incremental (0.1 % new) / engine full", "assoc_engine_incr", "assoc_engine_full", n)
            ratio_row("engine incremental (0.1 % late) / engine full", "assoc_engine_incr_late", "assoc_engine_full", n)
            ratio_row("CLI incremental (0.1 % new) / CLI full", "assoc_cli_incr", "assoc_cli_full", n)

    # Targets (issue 8), from the figures above.
    out.append("")
    out.append("Targets (issue 8), checked against the medians above:")
    out.append("")
    sizes = sorted({n for (s, n) in rows if s == "assoc_engine_full"})
    big = sizes[-1] if sizes else None

    def check(label, value, limit, unit_fmt, cond_le=True, at=""):
        if value is None:
            return
        ok = value <= limit if cond_le else value >= limit
        out.append(f"- {label}{at}: {unit_fmt(value)} vs {unit_fmt(limit)} — {'met' if ok else '**MISSED**'}")

    for step, n in keys:
        if step == "ingest_names":
            check("names-only ingest", n / med(step, n), 200000, lambda v: f"{v:,.0f} files/s", False,
                  f" ({fmt_n(n)} files)")
        if step == "rescan_names":
            check("re-scan of the unchanged tree", med(step, n), 10 * n / 1_000_000, fmt_s, True,
                  f" ({fmt_n(n)} files; 10 s per 1 000 000 files)")
        if step == "ingest_headers":
            r = paired_ratio("ingest_headers", "nc_floor", n, 2)
            if r:
                check("header ingest CPU / floor CPU (per core)", r[0], 1.5, lambda v: f"{v:.2f}x")
    if big:
        check("engine incremental, 0.1 % new", med("assoc_engine_incr", big), 0.1, fmt_s, True, f" on {fmt_n(big)}")
        check("engine incremental, 0.1 % late", med("assoc_engine_incr_late", big), 0.1, fmt_s, True,
              f" on {fmt_n(big)}")
        check("CLI incremental, 0.1 % new", med("assoc_cli_incr", big), 1.0, fmt_s, True, f" on {fmt_n(big)}")
        check("engine full", med("assoc_engine_full", big), 5.0, fmt_s, True, f" on {fmt_n(big)}")
        check("engine one-obsnum query", med("query_engine_obs", big), 0.1, fmt_s, True, f" on {fmt_n(big)}")
        if len(sizes) > 1:
            a, b = med("assoc_engine_incr", sizes[0]), med("assoc_engine_incr", big)
            if a and b:
                out.append(f"- incremental growth {fmt_n(sizes[0])} -> {fmt_n(big)} registry "
                           f"({big // sizes[0]}x the data, {big // sizes[0]}x the new observations): "
                           f"{b / a:.1f}x the time")
    all_rss = [r[3] for v in rows.values() for r in v if r[3] >= 0]
    if all_rss:
        check("peak RSS of any measured process", max(all_rss) / 2**20, 2.0, lambda v: f"{v:.2f} GiB")

    # Plot: association time vs registry size.
    if sizes:
        dat = os.path.splitext(o.plot)[0] + ".dat"
        with open(dat, "w") as f:
            f.write("# n engine_full engine_incr engine_incr_late cli_full cli_incr cli_incr_late (median s)\n")
            for n in sizes:
                vals = [med(s, n) for s in ["assoc_engine_full", "assoc_engine_incr", "assoc_engine_incr_late",
                                            "assoc_cli_full", "assoc_cli_incr", "assoc_cli_incr_late"]]
                f.write(f"{n} " + " ".join("NaN" if v is None else f"{v:.6f}" for v in vals) + "\n")
        gp = f"""set terminal pngcairo size 900,600 noenhanced
set output '{o.plot}'
set logscale xy
set xlabel 'raw observations in the registry'
set ylabel 'seconds (median of {o.runs})'
set title 'associations: full vs incremental (0.1 % new), --scale {o.scale}, {now}'
set key top left
set grid
plot '{dat}' using 1:2 with linespoints lw 2 title 'engine full', \\
     '' using 1:3 with linespoints lw 2 title 'engine incremental 0.1 % new', \\
     '' using 1:4 with linespoints lw 2 title 'engine incremental 0.1 % late', \\
     '' using 1:5 with linespoints dt 2 title 'CLI full', \\
     '' using 1:6 with linespoints dt 2 title 'CLI incremental 0.1 % new', \\
     '' using 1:7 with linespoints dt 2 title 'CLI incremental 0.1 % late'
"""
        r = subprocess.run(["gnuplot"], input=gp, text=True, capture_output=True)
        if r.returncode != 0:
            # pngcairo may be missing from gnuplot-nox builds; fall back to the gd png terminal.
            r = subprocess.run(["gnuplot"], input=gp.replace("pngcairo", "png"), text=True, capture_output=True)
        if r.returncode == 0:
            rel = os.path.relpath(o.plot, os.path.dirname(os.path.abspath(o.results)))
            out.append("")
            out.append(f"![association time vs registry size]({rel}) (data: `{os.path.relpath(dat, os.path.dirname(os.path.abspath(o.results)))}`)")
        else:
            out.append("")
            out.append(f"(plot failed: {r.stderr.strip()[:200]})")
    with open(o.results, "a") as f:
        f.write("\n".join(out) + "\n")
    print("\n".join(out))


if __name__ == "__main__":
    main()
