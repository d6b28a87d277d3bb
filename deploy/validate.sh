#!/usr/bin/env bash
# deploy/validate.sh: check the deployment recipes with the tools that run them.
#
#   bash deploy/validate.sh
#
# - nginx.conf: `nginx -t` with Debian's nginx (installed with apt-get when missing, as root),
#   on a copy whose upstream servers point at 127.0.0.1 (nginx resolves them at load).
# - vitrine.service: `systemd-analyze verify` on a copy whose ExecStart names an existing file.
# - docker-compose.yml: `docker compose config` with the example secrets; without the compose
#   plugin, Debian's docker-compose (v1.29, installed with apt-get when missing, as root) on the
#   file less its top-level `name:` (a Compose Specification key v1 predates).
# A check whose tool is missing (and cannot be installed) is SKIPPED, loudly; any check that
# runs and fails makes the script fail.
set -Eeuo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/vitrine-deploy.XXXXXX")
trap 'rm -rf "$work"' EXIT
failed=0 skipped=()

section() { printf '\n== %s\n' "$*"; }
skip() {
	printf '\n################ SKIPPED: %s ################\n' "$*" >&2
	skipped+=("$1")
}

# install_nginx installs Debian's nginx without starting it: the package's postinst would
# otherwise start a server on port 80 wherever invoke-rc.d allows it.
install_nginx() {
	[[ $(id -u) == 0 ]] && command -v apt-get >/dev/null || return 1
	local policy=/usr/sbin/policy-rc.d added=0
	if [[ ! -e $policy ]]; then
		printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && added=1
	fi
	local rc=0
	{ DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx </dev/null >/dev/null 2>&1 ||
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx </dev/null >/dev/null; }; } || rc=$?
	((added)) && rm -f "$policy"
	return $rc
}

# install_package installs a Debian package that starts no service.
install_package() {
	[[ $(id -u) == 0 ]] && command -v apt-get >/dev/null || return 1
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" </dev/null >/dev/null 2>&1 ||
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" </dev/null >/dev/null; }
}

section "nginx -t deploy/nginx.conf"
nginx_bin=$(command -v nginx || true)
if [[ -z $nginx_bin ]] && install_nginx; then nginx_bin=$(command -v nginx || echo /usr/sbin/nginx); fi
if [[ -n $nginx_bin && -x $nginx_bin ]]; then
	mkdir -p "$work/nginx/logs" "$work/nginx/html"
	# Only the upstream host names change: everything else is checked as written.
	sed -E 's/server vitrine-[0-9]+:8080/server 127.0.0.1:8080/' "$here/nginx.conf" >"$work/nginx/nginx.conf"
	if "$nginx_bin" -t -q -p "$work/nginx" -c "$work/nginx/nginx.conf" \
		-g "pid $work/nginx/nginx.pid; error_log stderr;" 2>&1; then
		echo "nginx.conf: ok ($("$nginx_bin" -v 2>&1))"
	else
		echo "nginx.conf: FAILED" >&2
		failed=1
	fi
else
	skip "nginx (not installed and cannot be installed: not root or no apt-get)"
fi

section "systemd-analyze verify deploy/vitrine.service"
if command -v systemd-analyze >/dev/null; then
	# verify insists that ExecStart exists; any executable stands in for the vitrine binary.
	mkdir -p "$work/systemd"
	sed "s#/usr/local/bin/vitrine#$(command -v true)#" "$here/vitrine.service" >"$work/systemd/vitrine.service"
	if out=$(systemd-analyze verify "$work/systemd/vitrine.service" 2>&1) && [[ -z $out ]]; then
		echo "vitrine.service: ok"
	else
		# verify also prints warnings without failing; treat them as failures, so the unit stays clean.
		printf '%s\n' "$out" >&2
		echo "vitrine.service: FAILED" >&2
		failed=1
	fi
else
	skip "systemd-analyze (not installed)"
fi

section "docker compose config deploy/docker-compose.yml"
if command -v docker >/dev/null && docker compose version >/dev/null 2>&1; then
	if docker compose -f "$here/docker-compose.yml" --env-file "$here/compose.env.example" config -q; then
		echo "docker-compose.yml: ok"
	else
		echo "docker-compose.yml: FAILED" >&2
		failed=1
	fi
elif command -v docker-compose >/dev/null || install_package docker-compose; then
	# The project directory is deploy/, as for `docker compose -f deploy/docker-compose.yml`.
	if sed '/^name:/d' "$here/docker-compose.yml" |
		docker-compose -f - --project-directory "$here" --env-file "$here/compose.env.example" config -q; then
		echo "docker-compose.yml: ok ($(docker-compose version --short), without the top-level name)"
	else
		echo "docker-compose.yml: FAILED" >&2
		failed=1
	fi
else
	skip "docker compose (no docker client with the compose plugin, no docker-compose)"
	# Without compose, at least the YAML must parse, name only defined services, and mount
	# files that exist: a partial check, not a substitute.
	if python3 -c 'import yaml' 2>/dev/null; then
		python3 - "$here/docker-compose.yml" <<'PY' || failed=1
import os, sys, yaml
path = sys.argv[1]
doc = yaml.safe_load(open(path))
services, volumes, bad = doc["services"], set(doc.get("volumes") or {}), []
for name, svc in services.items():
    for dep in svc.get("depends_on") or {}:
        if dep not in services:
            bad.append(f"{name}: depends on unknown service {dep}")
    for v in svc.get("volumes") or []:
        src = v.split(":")[0]
        if src.startswith("."):
            if not os.path.exists(os.path.join(os.path.dirname(path), src)):
                bad.append(f"{name}: mounts missing file {src}")
        elif src not in volumes:
            bad.append(f"{name}: unknown named volume {src}")
print("\n".join(bad) or "docker-compose.yml: YAML, service and volume references ok (partial check)")
sys.exit(1 if bad else 0)
PY
	fi
fi

section "shell scripts"
for f in "$here"/postgres/*.sh "$here"/validate.sh; do
	bash -n "$f" || { echo "$f: syntax error" >&2; failed=1; }
done
echo "syntax ok"

echo
if ((failed)); then
	echo "deploy/validate.sh: FAILED" >&2
	exit 1
fi
if ((${#skipped[@]})); then
	echo "deploy/validate.sh: passed, but SKIPPED: ${skipped[*]}"
else
	echo "deploy/validate.sh: all checks passed"
fi
