#!/bin/sh
# prepare.sh [DIR] builds what run.sh needs on a machine without Go and
# copies the MNIST files, all into DIR (a folder name relative to the
# repository's root, default .cores), which it names in git's exclude
# file so that git ignores it: static binaries of the root package's
# benchmarks, of internal/gemm's and of bench/convstep and
# examples/convnet. Run it from anywhere in the repository.
set -eu
cd "$(dirname "$0")/../.."
dir=${1:-.cores}
dir=${dir%/}
case $dir in
/* | . | ./* | ../* | *..*)
	echo "prepare.sh: DIR must be a folder name inside the repository, such as .cores" >&2
	exit 2
	;;
esac
mkdir -p "$dir/mnist"
exclude=$(git rev-parse --git-path info/exclude)
mkdir -p "$(dirname "$exclude")"
grep -qxF "/$dir/" "$exclude" 2>/dev/null || echo "/$dir/" >>"$exclude"
export CGO_ENABLED=0
go test -c -ldflags='-s -w' -o "$dir/numlearn.test" .
go test -c -ldflags='-s -w' -o "$dir/gemm.test" ./internal/gemm
go build -ldflags='-s -w' -o "$dir/convstep" ./bench/convstep
go build -ldflags='-s -w' -o "$dir/convnet" ./examples/convnet
# The MNIST files, fetched where numlearn keeps them if they are missing
# (by examples/mnistshow, whose picture of digits lands in DIR).
src=${NUMLEARN_MNIST_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/numlearn/mnist}
go run ./examples/mnistshow -quiet -data "$src" -out "$dir" >/dev/null
cp "$src"/*.gz "$dir/mnist/"
echo "prepared $dir: $(du -sh "$dir" | cut -f1)"
