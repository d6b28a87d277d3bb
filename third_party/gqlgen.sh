#!/usr/bin/env bash
# third_party/gqlgen.sh: Vitrine's copy of gqlgen is upstream gqlgen plus third_party/gqlgen.patch,
# nothing else (third_party/README.md says what the patch changes and why).
#
#   bash third_party/gqlgen.sh check   # CI: the copy is exactly upstream + patch
#   bash third_party/gqlgen.sh apply   # rebuild the copy from upstream + patch
#   bash third_party/gqlgen.sh diff    # rewrite the patch from the copy (after editing the copy)
#   bash third_party/gqlgen.sh test    # upstream's tests of the patched runtime packages
#
# Upstream is the version go.mod requires, fetched through the Go module proxy. The copy leaves
# out what building Vitrine and running gqlgen's code generator never read: examples, docs,
# integration and test servers, test data, and tests outside the runtime (graphql/...).
set -Eeuo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
copy=$here/gqlgen
patch_file=$here/gqlgen.patch
module=github.com/99designs/gqlgen

die() { printf 'gqlgen.sh: %s\n' "$*" >&2; exit 1; }

# pristine DIR: upstream, pruned as the copy is, in DIR.
pristine() {
	local version src
	version=$(cd "$repo" && go list -m -f '{{.Version}}' "$module")
	src=$(cd "$repo" && GOFLAGS=-mod=mod go mod download -json "$module@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
	[[ -d $src ]] || die "cannot download $module@$version"
	cp -R "$src/." "$1"
	chmod -R u+w "$1"
	(
		cd "$1"
		rm -rf _examples docs integration codegen/testserver .github CHANGELOG.md
		find . -name testdata -type d -prune -exec rm -rf {} +
		find . -name '*_test.go' ! -path './graphql/*' -delete
	)
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

case ${1:-} in
check)
	mkdir "$work/a"
	pristine "$work/a"
	(cd "$work/a" && patch -s -p1 <"$patch_file")
	diff -r "$work/a" "$copy" || die "third_party/gqlgen is not upstream + gqlgen.patch: run 'bash third_party/gqlgen.sh apply' (or 'diff' after editing the copy)"
	echo "third_party/gqlgen is upstream $(cd "$repo" && go list -m -f '{{.Version}}' "$module") + gqlgen.patch"
	;;
apply)
	mkdir "$work/a"
	pristine "$work/a"
	(cd "$work/a" && patch -s -p1 <"$patch_file")
	rm -rf "$copy"
	cp -R "$work/a" "$copy"
	;;
diff)
	mkdir "$work/a"
	pristine "$work/a"
	# diff exits 1 when the trees differ, which is the point.
	(cd "$work" && cp -R "$copy" b && diff -ruN a b >"$patch_file") || [[ $? == 1 ]]
	# No timestamps, so that the same change always writes the same patch.
	sed -i -E -e 's#^(---|\+\+\+) ([^\t]*)\t.*#\1 \2#' -e '/^diff -ruN/d' "$patch_file"
	echo "wrote $patch_file ($(grep -c '^+++ ' "$patch_file") files)"
	;;
test)
	cd "$copy" && go test -count=1 ./graphql/ ./graphql/executor/ ./graphql/handler/...
	;;
*)
	die "usage: bash third_party/gqlgen.sh check|apply|diff|test"
	;;
esac
