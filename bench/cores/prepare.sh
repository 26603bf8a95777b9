#!/bin/sh
# prepare.sh [DIR] builds what run.sh needs on a machine without Go and
# copies the MNIST files, all into DIR (default .cores), which it names in
# .git/info/exclude so that git ignores it: static binaries of the root
# package's benchmarks, of internal/gemm's and of bench/convstep and
# examples/convnet. Run it from anywhere in the repository.
set -eu
cd "$(dirname "$0")/../.."
dir=${1:-.cores}
mkdir -p "$dir/mnist" .git/info
grep -qxF "/$dir/" .git/info/exclude 2>/dev/null || echo "/$dir/" >>.git/info/exclude
export CGO_ENABLED=0
go test -c -ldflags='-s -w' -o "$dir/numlearn.test" .
go test -c -ldflags='-s -w' -o "$dir/gemm.test" ./internal/gemm
go build -ldflags='-s -w' -o "$dir/convstep" ./bench/convstep
go build -ldflags='-s -w' -o "$dir/convnet" ./examples/convnet
# The MNIST files, fetched where numlearn keeps them if they are missing.
src=${NUMLEARN_MNIST_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/numlearn/mnist}
"$dir/convstep" -steps 1 -warmup 0 -data "$src" >/dev/null
cp "$src"/*.gz "$dir/mnist/"
echo "prepared $dir: $(du -sh "$dir" | cut -f1)"
