#!/usr/bin/env bash
# The steps of teeth's GitHub Action (action.yml), one subcommand each, so
# that they run, and are tested, as a plain script:
#
#   install  fetch the release's SHA256SUMS, then the archive or wheel of this
#            runner's platform; refuse it unless its checksum matches; put
#            teeth on PATH (no Go toolchain)
#   run      teeth verify (pr, nightly) or teeth merge (merge) with every
#            report in one directory, and the step's outputs
#   comment  teeth comment on the pull request (pr and comment modes)
#   finish   fail the job when some anchor has no teeth (fail: true)
#
# The inputs come as INPUT_* variables (action.yml maps them), the runner's
# as GITHUB_* and RUNNER_*. Errors are one line "teeth-action: ..." and a
# hint line, exit 2.
set -euo pipefail

die() {
	echo "teeth-action: $1" >&2
	if [ $# -gt 1 ]; then echo "teeth-action: hint: $2" >&2; fi
	if [ "${GITHUB_ACTIONS:-}" = true ]; then echo "::error title=teeth action::$1"; fi
	exit 2
}

# output NAME VALUE appends a step output.
output() {
	case $2 in *$'\n'*) die "output $1 holds a newline" ;; esac
	echo "$1=$2" >>"${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set: run inside a workflow step}"
}

# boolean NAME VALUE checks that an input is true or false.
boolean() {
	case $2 in true | false) ;; *) die "input $1 is \"$2\", not true or false" ;; esac
}

scratch() { echo "${RUNNER_TEMP:-${TMPDIR:-/tmp}}"; }

# fetch URL FILE downloads URL into FILE, following redirects.
fetch() {
	local code
	code=$(curl -sSL --retry 3 --proto '=https,http' -w '%{http_code}' -o "$2" "$1") ||
		die "cannot download $1 (curl exit $?)" "check the network and release-url"
	[ "$code" = 200 ] || die "cannot download $1: HTTP $code" "is $version a teeth release? (version: a tag such as v1.2.3, or latest)"
}

sha256() {
	if command -v sha256sum >/dev/null; then sha256sum "$1" | cut -d' ' -f1; else shasum -a 256 "$1" | cut -d' ' -f1; fi
}

# platform sets os and arch (Go's names) and warch (the wheel's) for this runner.
platform() {
	case ${RUNNER_OS:-$(uname -s)} in
	Linux) os=linux ;;
	macOS | Darwin) os=darwin ;;
	*) die "teeth has no release for ${RUNNER_OS:-$(uname -s)}" "run teeth on a Linux or macOS runner" ;;
	esac
	case ${RUNNER_ARCH:-$(uname -m)} in
	X64 | x86_64 | amd64) arch=amd64 warch=x86_64 ;;
	ARM64 | aarch64 | arm64) arch=arm64 warch=aarch64 ;;
	*) die "teeth has no release for the ${RUNNER_ARCH:-$(uname -m)} architecture" "run teeth on an x64 or arm64 runner" ;;
	esac
	if [ "$os" = darwin ] && [ "$arch" = arm64 ]; then warch=arm64; fi
}

# pick sets want and name to the checksum and name of the one file of
# SHA256SUMS for this platform and install kind.
pick() {
	local pattern sum file
	case $kind in
	archive) pattern="^teeth_[0-9A-Za-z.+-]+_${os}_${arch}\.tar\.gz$" ;;
	wheel) if [ "$os" = linux ]; then
		pattern="^teeth-[0-9A-Za-z.+]+-py3-none-manylinux_[0-9]+_[0-9]+_${warch}\.[0-9A-Za-z_.]+\.whl$"
	else
		pattern="^teeth-[0-9A-Za-z.+]+-py3-none-macosx_[0-9]+_[0-9]+_${warch}\.whl$"
	fi ;;
	esac
	want="" name=""
	while read -r sum file; do
		file=${file#\*}
		if [[ $file =~ $pattern ]] && [[ $sum =~ ^[0-9a-f]{64}$ ]]; then
			[ -z "$name" ] || die "SHA256SUMS of $version lists two ${kind}s for $os/$arch"
			want=$sum name=$file
		fi
	done <"$dir/SHA256SUMS"
	[ -n "$name" ] || die "SHA256SUMS of $version lists no $kind for $os/$arch" "try install: archive, or another version"
}

install() {
	version=${INPUT_VERSION:-}
	if [ -z "$version" ]; then
		version=latest
		if [[ ${ACTION_REF:-} =~ ^v[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]+)?$ ]]; then version=$ACTION_REF; fi
	fi
	[[ $version =~ ^(latest|v?[0-9][0-9A-Za-z.+-]*)$ ]] || die "version \"$version\" is not a release tag" "version: v1.2.3, or latest"
	if [ "$version" != latest ]; then version=v${version#v}; fi
	kind=${INPUT_INSTALL:-archive}
	case $kind in archive | wheel) ;; *) die "install is \"$kind\", not archive or wheel" ;; esac
	local url=${INPUT_RELEASE_URL:-https://github.com/${ACTION_REPOSITORY:-teethtool/teeth}/releases}
	[[ $url =~ ^https?://[^[:space:]]+$ ]] || die "release-url \"$url\" is not an http(s) URL"
	local base=${url%/}/download/$version
	if [ "$version" = latest ]; then base=${url%/}/latest/download; fi
	platform
	dir=$(scratch)/teeth-action
	rm -rf "$dir"
	mkdir -p "$dir/bin"
	fetch "$base/SHA256SUMS" "$dir/SHA256SUMS"
	local got
	pick
	fetch "$base/$name" "$dir/$name"
	got=$(sha256 "$dir/$name")
	if [ "$got" != "$want" ]; then
		rm -f "$dir/$name"
		die "checksum mismatch for $name: SHA256SUMS says $want, the download is $got; nothing was installed" "the download was corrupted or altered: run the job again, or check release-url"
	fi
	if [ "$kind" = archive ]; then
		tar -xzf "$dir/$name" -C "$dir/bin" teeth
	else
		python3 -m venv "$dir/venv" || die "python3 -m venv failed" "install: wheel needs python3 with venv (or use install: archive)"
		"$dir/venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-index --no-deps "$dir/$name"
		ln -s ../venv/bin/teeth "$dir/bin/teeth"
	fi
	local installed
	installed=$("$dir/bin/teeth" version) || die "the installed teeth does not run on this runner"
	echo "teeth-action: installed $installed from $name (sha256 $got)"
	echo "$dir/bin" >>"${GITHUB_PATH:?GITHUB_PATH is not set: run inside a workflow step}"
	output version "${installed#teeth }"
}

# counts sets the count outputs from the JSON report.
counts() {
	if ! command -v python3 >/dev/null; then
		echo "teeth-action: python3 is not on PATH: the count outputs stay empty" >&2
		return
	fi
	python3 - "$1" >>"$GITHUB_OUTPUT" <<'PY'
import json, sys
s = json.load(open(sys.argv[1], encoding="utf-8"))["summary"]
print(f"anchors={s['anchors']}")
print(f"sites={s['sites']}")
print("anchor-verdicts=" + json.dumps(s["anchor_verdicts"], sort_keys=True))
print("site-verdicts=" + json.dumps(s["site_verdicts"], sort_keys=True))
print("failed=" + ("true" if s["failed"] else "false"))
PY
}

run() {
	local mode=${INPUT_MODE:-pr} project=${INPUT_PROJECT:-.} out name=${INPUT_ARTIFACT-teeth-report} category=teeth
	out=$(scratch)/teeth-report
	local -a extra=() cmd=()
	read -ra extra <<<"${INPUT_ARGS:-}"
	local -a reports=(--json "$out/teeth.json" --markdown "$out/teeth.md" --junit "$out/teeth.xml" --sarif "$out/teeth.sarif" --html "$out/teeth.html")
	case $mode in
	pr)
		local base=${INPUT_BASE:-}
		if [ -z "$base" ] && [ -n "${GITHUB_BASE_REF:-}" ]; then base=origin/$GITHUB_BASE_REF; fi
		[ -n "$base" ] || die "mode pr needs the base to diff against" "run on a pull_request event, or set base"
		cmd=(teeth verify --changed --base "$base")
		if [ -n "${INPUT_CACHE:-}" ]; then cmd+=(--cache "$INPUT_CACHE"); fi
		cmd+=("${reports[@]}" ${extra[@]+"${extra[@]}"} "$project")
		;;
	nightly)
		cmd=(teeth verify)
		if [ -n "${INPUT_SHARD:-}" ]; then
			[[ $INPUT_SHARD =~ ^([0-9]+)/([0-9]+)$ ]] || die "shard \"$INPUT_SHARD\" is not i/n" "shard: 1/4"
			cmd+=(--shard "$INPUT_SHARD")
			if [ -n "$name" ]; then name+="-shard-${BASH_REMATCH[1]}-of-${BASH_REMATCH[2]}"; fi
			category+="-shard-${BASH_REMATCH[1]}-of-${BASH_REMATCH[2]}"
		fi
		if [ -n "${INPUT_CACHE:-}" ]; then cmd+=(--cache "$INPUT_CACHE"); fi
		cmd+=("${reports[@]}" ${extra[@]+"${extra[@]}"} "$project")
		;;
	merge)
		local -a patterns=() files=() matched
		read -ra patterns <<<"${INPUT_REPORTS:-}"
		shopt -s nullglob
		for p in ${patterns[@]+"${patterns[@]}"}; do
			# shellcheck disable=SC2206 # the pattern is a glob on purpose
			matched=($p)
			files+=(${matched[@]+"${matched[@]}"})
		done
		shopt -u nullglob
		[ ${#files[@]} -gt 0 ] || die "mode merge found no shard reports in \"${INPUT_REPORTS:-}\"" "reports: shards/*/teeth.json (where actions/download-artifact put them)"
		cmd=(teeth merge "${reports[@]}" ${extra[@]+"${extra[@]}"} "${files[@]}")
		;;
	comment)
		[ -f "${INPUT_REPORT:-}" ] || die "mode comment needs the JSON report: \"${INPUT_REPORT:-}\" is no file" "report: teeth-report/teeth.json (the pull_request run's artifact)"
		output json "$(cd "$(dirname "$INPUT_REPORT")" && pwd)/$(basename "$INPUT_REPORT")"
		output exit-code 0
		return
		;;
	*) die "mode is \"$mode\", not pr, nightly, merge or comment" ;;
	esac
	rm -rf "$out"
	mkdir -p "$out"
	if [ -n "${PR_NUMBER:-}" ]; then echo "$PR_NUMBER" >"$out/pr-number"; fi
	local code=0
	echo "teeth-action: ${cmd[*]}"
	"${cmd[@]}" || code=$?
	output exit-code "$code"
	case $code in 0 | 1) ;; *) exit "$code" ;; esac
	output reports-dir "$out"
	for f in json:teeth.json markdown:teeth.md sarif:teeth.sarif junit:teeth.xml html:teeth.html; do
		output "${f%%:*}" "$out/${f#*:}"
	done
	output artifact-name "$name"
	output sarif-category "$category"
	counts "$out/teeth.json"
}

comment() {
	boolean comment "${INPUT_COMMENT:-true}"
	case ${INPUT_MODE:-pr} in pr | comment) ;; *) return 0 ;; esac
	if [ "${INPUT_COMMENT:-true}" = false ]; then
		echo "teeth-action: comment: false, so no comment"
		return 0
	fi
	local report=${TEETH_JSON:?the run step wrote no report} pr=${INPUT_PR:-}
	local -a args=()
	if [ -z "$pr" ] && [ "${INPUT_MODE:-pr}" = comment ] && [ -f "$(dirname "$report")/pr-number" ]; then
		pr=$(head -c 32 "$(dirname "$report")/pr-number" | tr -d '[:space:]')
	fi
	if [ -n "$pr" ]; then
		[[ $pr =~ ^[1-9][0-9]{0,9}$ ]] || die "pull request number \"$pr\" is not a number" "pr: the pull request's number"
		args+=(--pr "$pr")
	fi
	local server=${GITHUB_SERVER_URL:-https://github.com} url=${ARTIFACT_URL:-${INPUT_REPORT_URL:-}}
	if [ "${GITHUB_EVENT_NAME:-}" = workflow_run ]; then
		# The report and its pr-number come from the pull request's run:
		# data from a fork, so teeth posts only while the pull request's
		# head is the commit that run checked.
		[[ ${RUN_HEAD_SHA:-} =~ ^[0-9a-f]{40}$ ]] || die "the workflow_run event has no head_sha"
		args+=(--head-sha "$RUN_HEAD_SHA")
		if [ -z "$url" ] && [ -n "${RUN_ID:-}" ]; then url=$server/${GITHUB_REPOSITORY:-}/actions/runs/$RUN_ID; fi
	fi
	if [ -z "$url" ] && [ -n "${GITHUB_RUN_ID:-}" ]; then url=$server/${GITHUB_REPOSITORY:-}/actions/runs/$GITHUB_RUN_ID; fi
	if [ -n "$url" ]; then args+=(--report-url "$url"); fi
	if [ -n "${INPUT_COMMENT_KEY:-}" ]; then args+=(--key "$INPUT_COMMENT_KEY"); fi
	local said
	said=$(teeth comment ${args[@]+"${args[@]}"} "$report")
	if [ -n "$said" ]; then
		echo "teeth-action: comment $said"
		output comment-url "${said#* }"
	fi
}

finish() {
	boolean fail "${INPUT_FAIL:-true}"
	if [ "${TEETH_EXIT:-0}" = 1 ] && [ "${INPUT_FAIL:-true}" = true ]; then
		echo "teeth-action: some anchor has no teeth (teeth exited 1; the job summary has the report; fail: false keeps the job green)" >&2
		exit 1
	fi
}

case ${1:-} in
install | run | comment | finish) "$1" ;;
*) die "usage: teeth-action.sh install|run|comment|finish" ;;
esac
