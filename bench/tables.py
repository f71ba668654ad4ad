"""The figures of a run's results.json, summed up over its rounds: what bench/compare prints (compare-table.py) and
what the tables of docs/modules/ROOT/pages/benchmarks.adoc are generated from (doc-tables.py).

A target measured in rounds is named <name>#<round> in results.json; its figures are the medians over its rounds,
with their min and max."""
import statistics

# CPU per delivery is also compared at the same offered rates for every target: the ladder's 50k, 100k and 200k windows
RATES = (50_000, 100_000, 200_000)


def figures(target):
    """Every figure of one target's result, by name (None where the run has none)."""
    f = {}
    c = target.get("connections") or {}
    f["handshakes/s (warm)"] = c.get("warmHandshakesPerSecond")
    f["handshakes/s (first ramp)"] = c.get("coldHandshakesPerSecond")
    f["startup s"] = target.get("startupSeconds")
    f["KB per idle connection"] = c.get("rssPerConnectionKb")
    heap = c.get("liveHeapPerConnectionKb")
    f["live heap KB per idle connection"] = heap if isinstance(heap, (int, float)) else None
    cpu, n = c.get("targetCpuSeconds"), c.get("clients")
    f["CPU us per handshake (warm)"] = round(cpu / n * 1e6, 1) if cpu is not None and n else None
    for size, fo in sorted((target.get("fanout") or {}).items(), key=lambda kv: int(kv[0])):
        best = fo.get("best") or {}
        sustained = fo.get("bestSustained") or {}
        fixed = fo.get("fixed") or {}
        f[f"fan-out {int(size):,}: best msg/s, p99 < 100 ms"] = best.get("deliveredPerSecond")
        f[f"fan-out {int(size):,}: best sustained msg/s"] = sustained.get("deliveredPerSecond")
        f[f"fan-out {int(size):,}: CPU us per delivery (sustained)"] = cpu_per_delivery(sustained)
        f[f"fan-out {int(size):,}: CPU us per delivery (fixed rate)"] = cpu_per_delivery(fixed)
        f[f"fan-out {int(size):,}: p99 ms at the fixed rate"] = (fixed.get("latency") or {}).get("p99")
        # at 10,000 receivers a rate is a whole number of broadcasts a second, so within 12% of the rate
        for rate in RATES:
            f[f"fan-out {int(size):,}: CPU us per delivery at {rate // 1000}k/s"] = cpu_per_delivery(
                at_rate(fo.get("steps") or [], rate))
        # the climb ended on a window still sustained that the generator could not offer: the best is a lower bound
        last = climb_end(fo.get("steps") or [])
        f[f"fan-out {int(size):,}: generator-bound"] = 1 if last and last.get("sustained") and generator_bound(
            last) else None
    return f


def at_rate(steps, rate):
    """The sustained window offered closest to rate (within 12%), or an empty one."""
    near = [w for w in steps if w.get("sustained") and abs(w["offeredPerSecond"] - rate) <= 0.12 * rate]
    return min(near, key=lambda w: abs(w["offeredPerSecond"] - rate)) if near else {}


def climb_end(steps):
    """The window the ladder's climb ended on: the last before the bisections (whose rates go down again)."""
    last = None
    for w in steps:
        rate = w.get("requestedPerSecond") or w["offeredPerSecond"]
        if last is not None and rate < (last.get("requestedPerSecond") or last["offeredPerSecond"]):
            break
        last = w
    return last


def generator_bound(window):
    """The generator could not send at the rate asked (Results.Window#generatorBound): the ladder ended there."""
    requested = window.get("requestedPerSecond") or 0
    return requested > 0 and window["offeredPerSecond"] < 0.9 * requested


def cpu_per_delivery(window):
    n = (window.get("deliveredPerSecond") or 0) * (window.get("seconds") or 0)
    return round(window["targetCpuSeconds"] / n * 1e6, 2) if n else None


def base(name):
    return name.split("#")[0]


class Summary:
    """Each target's figures over its rounds: median, min and max per figure."""

    def __init__(self, results, names):
        self.names = names
        self.runs = {n: [] for n in names}
        self.labels = {}
        self.loads = []
        self.others = []
        for t in results["targets"]:
            if base(t["name"]) in self.runs:
                self.runs[base(t["name"])].append(figures(t))
                self.labels.setdefault(base(t["name"]), t.get("label", t["name"]).split(", round ")[0])
                self.loads.append((t.get("loadBefore"), t.get("loadAfter")))
                if t.get("othersCpuShare") is not None:
                    self.others.append(t["othersCpuShare"])
        missing = [n for n, v in self.runs.items() if not v]
        if missing:
            raise SystemExit(f"no result for {', '.join(missing)} in the run")
        self.keys = [k for k in figures(results["targets"][0]).keys()]
        self.rounds = min(len(v) for v in self.runs.values())

    def values(self, name, key):
        return [r[key] for r in self.runs[name] if r.get(key) is not None]

    def median(self, name, key):
        vals = self.values(name, key)
        return statistics.median(vals) if vals else None

    def cell(self, name, key):
        vals = self.values(name, key)
        if not vals:
            return "-"
        m = statistics.median(vals)
        return fmt(m) if len(vals) == 1 else f"{fmt(m)} ({fmt(min(vals))}-{fmt(max(vals))})"

    def ratio(self, a, b, key):
        """median of a / median of b, as text; '-' when either has none."""
        ma, mb = self.median(a, key), self.median(b, key)
        return f"{ma / mb:.2f}x" if ma is not None and mb else "-"


def markdown(results, names):
    """bench/compare's table: a row per figure, a column per name, then each name's ratio to the first."""
    s = Summary(results, names)
    lines = [f"{s.rounds} rounds, interleaved ({' '.join(names)} in turn); load average before the first and after "
             f"the last: {s.loads[0][0]} / {s.loads[-1][1]}", ""]
    header = "| figure | " + " | ".join(f"{n}: median (min-max)" for n in names) + "".join(
        f" | {n} / {names[0]}" for n in names[1:]) + " |"
    lines.append(header)
    lines.append("|" + "---|" * (header.count("|") - 1))
    for k in s.keys:
        if k.endswith("generator-bound"):
            continue
        cells = [s.cell(n, k) for n in names] + [s.ratio(n, names[0], k) for n in names[1:]]
        lines.append(f"| {k} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def fmt(v):
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.2f}"
