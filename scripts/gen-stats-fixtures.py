"""Reference values for src/monitoring/stats, computed ONCE with scipy 1.17.1 and numpy (python3).

Run: python3 scripts/gen-stats-fixtures.py  -> writes src/monitoring/stats/fixtures/*.json
The tests read the JSON only; they never run Python. Samples are generated here with a fixed seed and stored in the
fixtures next to the numbers (large samples are stored as a generator recipe plus the data, capped in size).
Evidently formulas (z-test, PSI, KL with zero fill) are written out here exactly as in
evidently/legacy/calculations/stattests (z_stattest.py, psi.py, kl_div.py, utils.get_binned_data).
"""
import json, math, os, warnings
import numpy as np
from scipy import stats
from scipy.spatial import distance

warnings.simplefilter("ignore")
OUT = os.path.join(os.path.dirname(__file__), "..", "src", "monitoring", "stats", "fixtures")
rng = np.random.default_rng(20240605)


class Gen:
    """Deterministic samples reproduced bit-for-bit by src/monitoring/stats/fixtures/sample-gen.ts: a 32-bit
    mulberry32 stream, 26-bit uniforms k/2^26, 'normal' as a sum of 12 uniforms minus 6 (Irwin-Hall), so every value
    is an exact dyadic rational and no transcendental function (whose last ulp differs between libms) is involved."""

    def __init__(self, seed):
        self.s = seed & 0xFFFFFFFF

    def u32(self):
        self.s = (self.s + 0x6D2B79F5) & 0xFFFFFFFF
        t = self.s
        t = ((t ^ (t >> 15)) * (t | 1)) & 0xFFFFFFFF
        t ^= (t + (((t ^ (t >> 7)) * (t | 61)) & 0xFFFFFFFF)) & 0xFFFFFFFF
        return (t ^ (t >> 14)) & 0xFFFFFFFF

    def uniform(self):
        return (self.u32() >> 6) / 67108864.0


def sample(spec):
    g = Gen(spec["seed"])
    n, kind = spec["n"], spec["kind"]
    loc, scale = spec.get("loc", 0.0), spec.get("scale", 1.0)
    out = []
    for _ in range(n):
        if kind == "normal":
            v = 0.0
            for _ in range(12):
                v += g.uniform()
            v = (v - 6.0) * scale + loc
        elif kind == "uniform":
            v = g.uniform() * scale + loc
        elif kind == "int":
            v = float(math.floor(g.uniform() * scale)) + loc
        elif kind == "const":
            v = loc
        elif kind == "round1":
            v = 0.0
            for _ in range(12):
                v += g.uniform()
            v = math.floor(((v - 6.0) * scale + loc) * 8) / 8
        out.append(v)
    return np.array(out, float)


SEED = [1000]


def S(kind, n, loc=0.0, scale=1.0):
    SEED[0] += 1
    return {"kind": kind, "n": n, "loc": loc, "scale": scale, "seed": SEED[0]}


def num(x):
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def arr(a):
    return [float(v) for v in a]


def two_sample_cases():
    c = []
    add = lambda name, a, b: c.append((name, a, b))
    for n in range(1, 6):
        for m in range(1, 6):
            add(f"tiny n={n} m={m}", S("normal", n), S("normal", m, 0.3))
    add("ties small ints", S("int", 30, 0, 4), S("int", 25, 0, 5))
    add("ties heavy", S("int", 200, 0, 3), S("int", 300, 0, 3))
    add("constant equal", S("const", 10, 2.0), S("const", 12, 2.0))
    add("constant different", S("const", 10, 2.0), S("const", 12, 3.0))
    add("one constant", S("const", 15, 1.0), S("normal", 20))
    add("equal sizes 50 shift", S("normal", 50), S("normal", 50, 0.5))
    add("equal sizes 500", S("normal", 500), S("normal", 500, 0.1))
    add("unequal 10 vs 1000", S("normal", 10), S("normal", 1000))
    add("unequal 7 vs 3000 shifted", S("normal", 7, 1), S("normal", 3000))
    add("unequal 10 vs 100000", S("normal", 10), S("normal", 100000))
    add("unequal 10 vs 100000 shifted", S("normal", 10, 2), S("normal", 100000))
    add("large 20000 vs 30000 same", S("normal", 20000), S("normal", 30000))
    add("large 20000 vs 30000 small shift", S("normal", 20000), S("normal", 30000, 0.02))
    add("large 20000 vs 25000 shift", S("normal", 20000), S("normal", 25000, 0.1))
    add("large exp vs normal", S("uniform", 15000, 0, 3), S("normal", 12000, 1))
    add("mid 9999 vs 10000", S("normal", 9999), S("normal", 10000, 0.03))
    add("mid 300 vs 700", S("uniform", 300), S("uniform", 700, 0.05))
    add("mid 25 vs 30", S("normal", 25), S("normal", 30, 0.4))
    add("small 8 vs 9", S("normal", 8), S("normal", 9))
    add("small 15 vs 20", S("normal", 15), S("normal", 20, 0.8))
    add("rounded 1000 vs 1200", S("round1", 1000), S("round1", 1200, 0.05))
    add("disjoint", S("uniform", 40), S("uniform", 35, 2))
    return c


def safe(f):
    try:
        return f()
    except Exception as e:  # scipy raises: record the error
        return {"error": type(e).__name__}


def tr(r):
    return {"statistic": num(r[0]), "pValue": num(r[1])}


def main():
    os.makedirs(OUT, exist_ok=True)
    cases = []
    for name, sa, sb in two_sample_cases():
        a, b = sample(sa), sample(sb)
        e = {"name": name, "a": sa, "b": sb, "checksum": [float(a.sum()), float(b.sum())]}
        e["ks2samp"] = safe(lambda: tr(stats.ks_2samp(a, b)))
        e["wasserstein"] = num(stats.wasserstein_distance(a, b))
        e["energy"] = num(stats.energy_distance(a, b))
        e["mannWhitneyU"] = safe(lambda: tr(stats.mannwhitneyu(a, b)))
        e["tTest"] = safe(lambda: tr(stats.ttest_ind(a, b)))
        e["cramerVonMises"] = safe(lambda: (lambda r: {"statistic": num(r.statistic), "pValue": num(r.pvalue)})(
            stats.cramervonmises_2samp(a, b)) if min(len(a), len(b)) > 1 else {"error": "ValueError"})
        e["andersonKsamp"] = safe(lambda: (lambda r: {"statistic": num(r.statistic), "pValue": num(r.pvalue)})(
            stats.anderson_ksamp([a, b])))
        cases.append(e)
    with open(os.path.join(OUT, "two-sample.json"), "w") as f:
        json.dump({"scipy": __import__("scipy").__version__, "cases": cases}, f)

    # categorical / distribution cases
    cat = []
    def addc(name, obs, exp):
        obs = [float(v) for v in obs]; exp = [float(v) for v in exp]
        e = {"name": name, "observed": obs, "expected": exp}
        k = sum(obs) / sum(exp)
        e["chiSquare"] = safe(lambda: tr(stats.chisquare(obs, [v * k for v in exp])))
        ps = [v / sum(exp) for v in exp]; qs = [v / sum(obs) for v in obs]
        e["jensenShannon"] = num(distance.jensenshannon(ps, qs))
        e["jensenShannonBase2"] = num(distance.jensenshannon(ps, qs, 2))
        def fill(p):
            p = np.array(p, float); nz = p[p != 0]
            m = min(nz)
            np.place(p, p == 0, m / 10**6 if m <= 0.0001 else 0.0001)
            return p
        r, c = fill(ps), fill(qs)
        e["psi"] = num(np.sum((r - c) * np.log(r / c)))
        e["klDivergence"] = num(stats.entropy(r, c))
        h = sum(math.sqrt(a * b) for a, b in zip(ps, qs)); h = min(max(h, 0), 1)
        e["hellinger"] = num(math.sqrt(1 - h))
        e["tvd"] = num(0.5 * np.sum(np.abs(np.array(exp) / sum(exp) - np.array(obs) / sum(obs))))
        cat.append(e)
    addc("balanced", [30, 40, 30], [35, 35, 30])
    addc("shifted", [10, 50, 40], [40, 40, 20])
    addc("one side only (ref zero)", [10, 20, 5], [15, 25, 0])
    addc("one side only (cur zero)", [10, 20, 0], [15, 25, 7])
    addc("single category", [12], [30])
    addc("many categories", rng.integers(1, 200, 40), rng.integers(1, 200, 40))
    addc("tiny shares", [1, 100000, 3], [2, 99999, 0])
    addc("identical", [5, 5, 5], [5, 5, 5])
    addc("unequal totals", [3, 1], [3000, 1000])
    with open(os.path.join(OUT, "categorical.json"), "w") as f:
        json.dump({"cases": cat}, f)

    # proportions z-test (Evidently formula) and fisher exact
    from scipy.stats import norm
    zc = []
    for ref, cur in [([50, 50], [40, 60]), ([10, 0], [10, 0]), ([10, 0], [0, 10]), ([900, 100], [880, 120]),
                     ([5, 3], [2, 7]), ([100000, 1], [99000, 1000]), ([1, 1], [1, 0]), ([499, 501], [520, 480])]:
        n1, n2 = sum(ref), sum(cur)
        if (ref[0] == 0 or ref[1] == 0) and (cur[0] == 0 or cur[1] == 0) and ((ref[0] == 0) == (cur[0] == 0)):
            z, p = 0.0, 1.0
        else:
            p1 = float(ref[1]) / n1; p2 = float(cur[1]) / n2
            P = float(p1 * n1 + p2 * n2) / (n1 + n2)
            z = (p1 - p2) / np.sqrt(P * (1 - P) * (1.0 / n1 + 1.0 / n2))
            p = 2 * (1 - norm.cdf(np.abs(z)))
        zc.append({"ref": ref, "cur": cur, "statistic": num(z), "pValue": num(p)})
    fc = []
    for t in [[[8, 2], [1, 5]], [[3, 1], [1, 3]], [[0, 5], [5, 0]], [[0, 0], [3, 4]], [[10, 10], [10, 10]],
              [[1, 9], [11, 3]], [[100, 200], [150, 120]], [[5000, 4800], [5100, 4700]], [[2, 0], [0, 2]],
              [[20, 380], [45, 355]], [[0, 10], [3, 7]], [[7, 0], [12, 5]]]:
        r = stats.fisher_exact(t)
        fc.append({"table": t, "statistic": num(r.statistic), "pValue": num(r.pvalue)})
    kstwo = []
    for n in [10, 25, 140, 141, 500, 5000, 100000, 500000]:
        for x in [0.001, 0.01, 0.03, 0.05, 0.08, 0.1, 0.2, 0.3, 0.5, 0.7, 0.95]:
            kstwo.append({"n": n, "x": x, "sf": num(stats.kstwo.sf(x, n))})
    with open(os.path.join(OUT, "counts.json"), "w") as f:
        json.dump({"zTest": zc, "fisher": fc, "kstwo": kstwo}, f)


main()
