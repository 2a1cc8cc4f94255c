#!/usr/bin/env python3
"""Scaled "RBAC with tenants" scenario in the file format of the peers' generator.

The peers' gen-scenario.js (../shared/bench-peers) writes one fixed size: 1
partner, 200 companies, 2,000 users. This writes the same shape at any size,
so bench/peer_scenario (and the peers' harnesses that read these files) can
show how the cost of a decision moves as the data grows (bench/run's 10x
row: --users 20000 --companies 2000).

Output (OUT_DIR):
  scenario.json      {seed, partner, companies, permissions, rolePerms, users,
                      emailDomains, whitelist}; a user is
                      {"id", "org", "assignments": [{"domain", "role"}, ...]}
  requests.csv       user,domain,obj,act,expected (1 allow, 0 deny)
  abac-requests.csv  user,mailbox,email_domain,expected
  casbin/model.conf, casbin/model-objfirst.conf, casbin/policy.csv
                     for the peers' casbin and reference-js harnesses
  SHA256SUMS         checksums of the files above

The model is the peers' one: 40 resource:action permissions, five roles
(partner_admin has them all), the first tenth of the users partner staff,
each user holding a role in one to three companies. Requests are about half
allowed: an allowed candidate drawn from the user's assignments, a permission
the assigned role lacks, or a random company and permission. `expected` is
decided from the generated model, not from how a request was drawn. The
sequence follows --seed through Python's own Mersenne Twister, so one seed
gives the same bytes on every machine (this is not the peers' PRNG: the
default sizes do not reproduce their files byte for byte).

Usage: generate.py OUT_DIR [--users 2000] [--companies 200] [--requests 100000]
                   [--seed 42] [--check]
--check re-reads what it wrote and decides every request again from the files
(exit 1 on any disagreement).
"""
import argparse
import hashlib
import json
import os
import random
import sys

RESOURCES = [
    ("backup_set", ["view", "add", "edit", "delete", "restore"]),
    ("backup_schedule", ["view", "add", "edit", "delete"]),
    ("backup_job", ["view", "run", "cancel"]),
    ("restore_job", ["view", "run"]),
    ("user", ["view", "invite", "edit", "delete"]),
    ("role", ["view", "assign"]),
    ("company", ["view", "create", "edit", "delete"]),
    ("product", ["view", "enable", "disable"]),
    ("license", ["view", "assign", "revoke"]),
    ("billing", ["view", "edit"]),
    ("report", ["view", "export"]),
    ("audit_log", ["view", "export"]),
    ("api_key", ["view", "create", "revoke"]),
    ("alert", ["view"]),
]
PERMISSIONS = [f"{obj}:{act}" for obj, acts in RESOURCES for act in acts]


def role_permissions():
    """The five roles, each a list of permissions in declaration order."""
    view = [p for p in PERMISSIONS if p.endswith(":view")]
    company_user = view + [
        "backup_set:add", "backup_set:edit", "backup_set:restore", "backup_schedule:add",
        "backup_schedule:edit", "backup_job:run", "backup_job:cancel", "restore_job:run",
        "report:export"]
    company_admin = company_user + [
        "backup_set:delete", "backup_schedule:delete", "user:invite", "user:edit",
        "user:delete", "role:assign", "company:edit", "api_key:create", "api_key:revoke",
        "audit_log:export", "billing:edit"]
    partner_user = company_user + [
        "product:enable", "product:disable", "license:assign", "user:invite", "company:edit"]
    roles = {
        "partner_admin": list(PERMISSIONS),
        "partner_user": partner_user,
        "company_admin": company_admin,
        "company_user": company_user,
        "view_only": view,
    }
    for name, perms in roles.items():
        assert len(set(perms)) == len(perms), name
        assert set(perms) <= set(PERMISSIONS), name
    return roles


def width(n, at_least):
    return max(at_least, len(str(n - 1)))


class Draw:
    """Draws from one seeded generator; every choice goes through random()."""

    def __init__(self, seed):
        self._random = random.Random(seed).random

    def index(self, n):
        return int(self._random() * n)

    def pick(self, items):
        return items[self.index(len(items))]

    def chance(self, p):
        return self._random() < p

    def weighted(self, pairs):
        x = self._random() * sum(w for _, w in pairs)
        for value, w in pairs:
            x -= w
            if x < 0:
                return value
        return pairs[-1][0]


def decide(user, domain, perm, role_sets):
    """The scenario's rule: some assignment in `domain` has a role granting `perm`."""
    return any(a["domain"] == domain and perm in role_sets[a["role"]]
               for a in user["assignments"])


def generate(n_users, n_companies, n_requests, seed):
    """Returns (scenario dict, RBAC rows, ABAC rows); rows are lists of strings."""
    if n_companies < 3 or n_users < 1 or n_requests < 0:
        raise ValueError("need at least 3 companies and 1 user")
    draw = Draw(seed)
    roles = role_permissions()
    role_sets = {r: set(p) for r, p in roles.items()}
    missing = {r: [p for p in PERMISSIONS if p not in role_sets[r]] for r in roles}
    partner = "partner0"
    cw, uw = width(n_companies, 3), width(n_users, 4)
    companies = [f"c{i:0{cw}d}" for i in range(n_companies)]
    staff = n_users // 10  # the first tenth of the users work for the partner

    users = []
    for i in range(n_users):
        k = draw.weighted([(1, 50), (2, 30), (3, 20)])
        domains = []
        while len(domains) < k:
            c = draw.pick(companies)
            if c not in domains:
                domains.append(c)
        if i < staff:
            pool = [("partner_admin", 30), ("partner_user", 70)]
        else:
            pool = [("company_admin", 15), ("company_user", 50), ("view_only", 35)]
        assignments = [{"domain": d, "role": draw.weighted(pool)} for d in domains]
        users.append({"id": f"u{i:0{uw}d}",
                      "org": partner if i < staff else assignments[0]["domain"],
                      "assignments": assignments})

    rbac = []
    for _ in range(n_requests):
        u = draw.pick(users)
        a = draw.pick(u["assignments"])
        if draw.chance(0.5):  # a permission of an assigned role, where it holds
            domain, perm = a["domain"], draw.pick(roles[a["role"]])
        elif draw.chance(0.5) and missing[a["role"]]:  # a permission the role lacks
            domain, perm = a["domain"], draw.pick(missing[a["role"]])
        else:  # anywhere, anything (mostly another company)
            domain, perm = draw.pick(companies), draw.pick(PERMISSIONS)
        obj, act = perm.split(":")
        rbac.append([u["id"], domain, obj, act, "1" if decide(u, domain, perm, role_sets) else "0"])

    n_domains = max(10, n_users // 5)
    email_domains = [f"d{i:0{width(n_domains, 3)}d}.example" for i in range(n_domains)]
    whitelist = {}
    for u in users:
        n = 1 + draw.index(5)
        wl = []
        while len(wl) < n:
            d = draw.pick(email_domains)
            if d not in wl:
                wl.append(d)
        whitelist[u["id"]] = wl
    abac = []
    mw = width(n_requests, 6)
    for i in range(n_requests):
        u = draw.pick(users)
        wl = whitelist[u["id"]]
        d = draw.pick(wl) if draw.chance(0.5) else draw.pick(email_domains)
        abac.append([u["id"], f"m{i:0{mw}d}", d, "1" if d in wl else "0"])

    scenario = {"seed": seed, "partner": partner, "companies": companies,
                "permissions": PERMISSIONS, "rolePerms": roles, "users": users,
                "emailDomains": email_domains, "whitelist": whitelist}
    return scenario, rbac, abac


CASBIN_MODEL = """[request_definition]
r = sub, dom, obj, act

[policy_definition]
p = sub, obj, act

[role_definition]
g = _, _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = {matcher}
"""


def files_of(scenario, rbac, abac):
    """Every output file as (relative path, text), in SHA256SUMS order."""
    csv = lambda rows: "".join(",".join(r) + "\n" for r in rows)
    p_lines = [f"p, {role}, {perm.replace(':', ', ')}"
               for role, perms in scenario["rolePerms"].items() for perm in perms]
    g_lines = [f"g, {u['id']}, {a['role']}, {a['domain']}"
               for u in scenario["users"] for a in u["assignments"]]
    return [
        ("casbin/model.conf", CASBIN_MODEL.format(
            matcher="g(r.sub, p.sub, r.dom) && r.obj == p.obj && r.act == p.act")),
        ("casbin/model-objfirst.conf", CASBIN_MODEL.format(
            matcher="r.obj == p.obj && r.act == p.act && g(r.sub, p.sub, r.dom)")),
        ("casbin/policy.csv", "\n".join(p_lines + g_lines) + "\n"),
        ("requests.csv", csv(rbac)),
        ("abac-requests.csv", csv(abac)),
        ("scenario.json", json.dumps(scenario, separators=(",", ":"))),
    ]


def check(out_dir):
    """Decides every request again from the written files, RBAC from casbin/policy.csv
    (its p- and g-lines, a representation apart from scenario.json's); returns the
    number of disagreements with `expected`."""
    role_perms, role_of = {}, {}
    with open(os.path.join(out_dir, "casbin/policy.csv")) as f:
        for line in f:
            kind, *fields = line.rstrip("\n").split(", ")
            if kind == "p":
                role_perms.setdefault(fields[0], set()).add((fields[1], fields[2]))
            elif kind == "g":
                role_of[(fields[0], fields[2])] = fields[1]
    bad = 0
    with open(os.path.join(out_dir, "requests.csv")) as f:
        for line in f:
            user, domain, obj, act, expected = line.rstrip("\n").split(",")
            role = role_of.get((user, domain))
            got = role is not None and (obj, act) in role_perms[role]
            bad += got != (expected == "1")
    with open(os.path.join(out_dir, "scenario.json")) as f:
        whitelist = json.load(f)["whitelist"]
    with open(os.path.join(out_dir, "abac-requests.csv")) as f:
        for line in f:
            user, _, domain, expected = line.rstrip("\n").split(",")
            bad += (domain in whitelist[user]) != (expected == "1")
    return bad


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("--users", type=int, default=2000)
    ap.add_argument("--companies", type=int, default=200)
    ap.add_argument("--requests", type=int, default=100000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--check", action="store_true")
    o = ap.parse_args(argv)
    scenario, rbac, abac = generate(o.users, o.companies, o.requests, o.seed)
    os.makedirs(os.path.join(o.out_dir, "casbin"), exist_ok=True)
    sums = []
    for rel, text in files_of(scenario, rbac, abac):
        data = text.encode()
        with open(os.path.join(o.out_dir, rel), "wb") as f:
            f.write(data)
        sums.append(f"{hashlib.sha256(data).hexdigest()}  {rel}\n")
    with open(os.path.join(o.out_dir, "SHA256SUMS"), "w") as f:
        f.writelines(sums)
    n = max(1, len(rbac))
    summary = {
        "seed": o.seed, "companies": o.companies, "users": o.users,
        "assignments": sum(len(u["assignments"]) for u in scenario["users"]),
        "requests": len(rbac),
        "allowRatio": round(sum(r[4] == "1" for r in rbac) / n, 4),
        "abacAllowRatio": round(sum(r[3] == "1" for r in abac) / n, 4),
    }
    if o.check:
        summary["checkMismatches"] = check(o.out_dir)
    print(json.dumps(summary))
    return 1 if summary.get("checkMismatches") else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
