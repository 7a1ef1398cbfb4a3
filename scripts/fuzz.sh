#!/usr/bin/env bash
# Runs the libFuzzer harnesses of Fuzz/ (a package of its own, never part of the default build):
# builds them with -sanitize=fuzzer,address (debug, so @testable reaches the parsers' internals),
# then runs each for the given time on a scratch copy of its seed corpus (Fuzz/Corpus/<name>),
# so the committed seeds stay as they are. A crash, a leak, a timeout or an allocation above
# the limit stops that harness and leaves the input in Fuzz/Crashes/<name>/; the script then
# exits non-zero. Copy such inputs into Tests/VAEGANTests/Fixtures/fuzz-regressions/<name>/
# once fixed: FuzzRegressionTests.swift runs every one of them in the normal suite.
#
#   scripts/fuzz.sh                       every harness, 30 s each
#   scripts/fuzz.sh 600                   every harness, 10 minutes each
#   scripts/fuzz.sh 60 json spec          some of them
#   FUZZ_JOBS_LOG=/tmp/fuzz.log scripts/fuzz.sh 600   keep libFuzzer's output there
#
# Harnesses: safetensors npy idx gzip json spec.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
seconds="${1:-30}"
shift || true
names=("$@")
[[ ${#names[@]} -eq 0 ]] && names=(safetensors npy idx gzip json spec)
declare -A target=([safetensors]=FuzzSafeTensors [npy]=FuzzNPY [idx]=FuzzIDX [gzip]=FuzzGzip [json]=FuzzJSON [spec]=FuzzSpec)
scratch="$root/.build-fuzz"
export SWIFT_BACKTRACE=enable=no # libFuzzer reports crashes itself; the backtracer only slows them

echo "== building the harnesses (-sanitize=fuzzer,address)"
swift build --package-path Fuzz --scratch-path "$scratch" -Xswiftc -sanitize=fuzzer,address >/dev/null
bin="$(swift build --package-path Fuzz --scratch-path "$scratch" --show-bin-path)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
log="${FUZZ_JOBS_LOG:-$work/fuzz.log}"
: >"$log"

status=0
for name in "${names[@]}"; do
    harness="${target[$name]:?unknown harness $name (safetensors npy idx gzip json spec)}"
    mkdir -p "$work/corpus-$name" "Fuzz/Crashes/$name"
    cp Fuzz/Corpus/"$name"/* "$work/corpus-$name/"
    echo "== $name: $seconds s"
    # 1 GB per allocation and 2 GB in all: a small input that makes a parser ask for more has
    # found a missing limit. -timeout: one input may take 10 s at most.
    if "$bin/$harness" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 \
        -max_len=65536 -print_final_stats=1 -artifact_prefix="Fuzz/Crashes/$name/" \
        "$work/corpus-$name" >>"$log" 2>&1; then
        runs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)"
        echo "   no crash; ${runs:-?} executions; corpus $(ls "$work/corpus-$name" | wc -l) inputs"
    else
        echo "   FAILED: see Fuzz/Crashes/$name/ and the log:"
        grep -E '^==[0-9]+==ERROR|SUMMARY|Fatal error|precondition|artifact_prefix|Test unit written' "$log" | tail -8 | sed 's/^/   /'
        status=1
    fi
done
rmdir Fuzz/Crashes/* Fuzz/Crashes 2>/dev/null || true
exit $status
