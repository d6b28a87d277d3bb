#!/usr/bin/env bash
# bench/verify.sh: checks that bench/products_nested.sql returns the same data as
# bench/products_nested.graphql served by a running Vitrine.
#
#   bash bench/verify.sh http://127.0.0.1:8080/graphql 'postgres://postgres@127.0.0.1:5432/vitrine_bench?sslmode=disable'
#
# It compares, product by product: ids (in order), name, slug, price, category and parent,
# rating count, distribution and average (to 1e-9), review count, and the review page (ids in
# order, title, body, createdAt as an instant, author id and name); then reports whether the
# two documents are also identical after `jq -S`. Exit status 0 only if every check passes.
# Needs curl, jq, psql and python3. Leaves nothing behind.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
url=${1:?usage: verify.sh GRAPHQL_URL DATABASE_URL}
db=${2:?usage: verify.sh GRAPHQL_URL DATABASE_URL}

work=$(mktemp -d "${TMPDIR:-/tmp}/vitrine-verify.XXXXXX")
trap 'rm -rf -- "$work"' EXIT

jq -n --rawfile q "$here/products_nested.graphql" \
  '{query: $q, operationName: "products_nested", variables: {first: 50}}' >"$work/body.json"
status=$(curl -sS --max-time 30 -o "$work/graphql.json" -w '%{http_code}' \
  -H 'Content-Type: application/json' --data-binary @"$work/body.json" "$url")
if [[ $status != 200 ]]; then
  echo "verify: FAILED: GraphQL answered HTTP $status: $(head -c 500 "$work/graphql.json")" >&2
  exit 1
fi
timeout 60 psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" -f "$here/products_nested.sql" >"$work/sql.json"

identical=no
if cmp -s <(jq -S .data "$work/graphql.json") <(jq -S . "$work/sql.json"); then
  identical=yes
fi

python3 - "$work/graphql.json" "$work/sql.json" "$identical" <<'PY'
import base64, datetime, json, math, sys

gql = json.load(open(sys.argv[1]))
sql = json.load(open(sys.argv[2]))
identical = sys.argv[3] == "yes"
problems = []

if gql.get("errors"):
    problems.append("GraphQL errors: " + json.dumps(gql["errors"])[:500])
g_edges = ((gql.get("data") or {}).get("products") or {}).get("edges") or []
s_edges = sql["products"]["edges"]


def raw(opaque):
    """The integer behind an opaque ID, for messages."""
    try:
        return base64.urlsafe_b64decode(opaque + "=" * (-len(opaque) % 4)).decode()
    except Exception:
        return opaque


def instant(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))


def check(where, a, b):
    if a != b:
        problems.append(f"{where}: graphql={a!r} sql={b!r}")


check("product count", len(g_edges), len(s_edges))
reviews = 0
for i, (ge, se) in enumerate(zip(g_edges, s_edges)):
    g, s = ge["node"], se["node"]
    p = f"product[{i}] {raw(g['id'])}"
    for f in ("id", "name", "slug", "price", "category", "reviewCount"):
        check(f"{p} {f}", g[f], s[f])
    gr, sr = g["ratingSummary"], s["ratingSummary"]
    check(f"{p} rating count", gr["count"], sr["count"])
    check(f"{p} rating distribution", gr["distribution"], sr["distribution"])
    ga, sa = gr["average"], sr["average"]
    if (ga is None) != (sa is None) or (ga is not None and not math.isclose(ga, sa, rel_tol=0, abs_tol=1e-9)):
        problems.append(f"{p} rating average: graphql={ga!r} sql={sa!r}")
    gv = [e["node"] for e in g["reviews"]["edges"]]
    sv = [e["node"] for e in s["reviews"]["edges"]]
    check(f"{p} review ids", [raw(r["id"]) for r in gv], [raw(r["id"]) for r in sv])
    for j, (a, b) in enumerate(zip(gv, sv)):
        q = f"{p} review[{j}]"
        for f in ("title", "body", "author"):
            check(f"{q} {f}", a[f], b[f])
        check(f"{q} createdAt", instant(a["createdAt"]), instant(b["createdAt"]))
    reviews += len(gv)

if problems:
    print(f"verify: FAILED, {len(problems)} difference(s):", file=sys.stderr)
    for line in problems[:20]:
        print("  " + line, file=sys.stderr)
    sys.exit(1)
ties = sum(1 for e in g_edges
           if len({r["node"]["createdAt"] for r in e["node"]["reviews"]["edges"]})
           < len(e["node"]["reviews"]["edges"]))
print(f"verify: OK: {len(g_edges)} products, {reviews} reviews "
      f"({ties} products with equal createdAt in their page), same ids/aggregates/reviews; "
      f"documents {'identical' if identical else 'equivalent but not byte-identical'} after jq -S")
PY
