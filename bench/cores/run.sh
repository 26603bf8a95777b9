#!/bin/sh
# run.sh [DIR] [OUT] times training on 1, 2, 4, 8 and 16 cores, one process
# per GOMAXPROCS, on a machine without Go, from what prepare.sh put in DIR
# (default .cores, relative to the repository's root), writing under OUT
# (default $OUT, else /tmp/cores):
#
#   machine.txt      the CPU and PyTorch's version
#   bench.txt        the training-step benchmarks (benchstat -col /gomaxprocs bench.txt)
#   gemm.txt         the products of internal/gemm
#   convstep.jsonl   SimpleConvNet's step and evaluation, numlearn (bench/convstep)
#   torch.jsonl      the same for PyTorch float64 and float32 (bench/torch_convnet.py)
#   convnet-N.txt    the 20-epoch examples/convnet run on N cores, with CONVNET=N
#   errors.txt       every command that failed, with its exit status
#
# THREADS (default "1 2 4 8 16") and ROUNDS (default 3) choose the runs;
# the thread counts alternate within each round. PYTHON (default python3)
# is the Python with PyTorch.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${2:-${OUT:-/tmp/cores}}
mkdir -p "$out"
out=$(cd "$out" && pwd)
cd "$root"
dir=$(cd "${1:-.cores}" && pwd) || exit 2
threads=${THREADS:-1 2 4 8 16}
rounds=${ROUNDS:-3}
python=${PYTHON:-python3}
export NUMLEARN_MNIST_DIR="$dir/mnist"

# try NAME COMMAND...: runs the command, noting in errors.txt if it fails.
try() {
	name=$1
	shift
	"$@" || echo "$name: exit status $?" >>"$out/errors.txt"
}

{
	nproc
	grep -m1 'model name' /proc/cpuinfo
	"$python" -c 'import torch; print("torch", torch.__version__)'
} >"$out/machine.txt" 2>&1
for r in $(seq "$rounds"); do
	for p in $threads; do
		echo "round $r, GOMAXPROCS $p" >&2
		GOMAXPROCS=$p try "numlearn.test GOMAXPROCS=$p" "$dir/numlearn.test" -test.run '^$' \
			-test.bench 'BenchmarkTrainStep$|TrainStepLarge|ConvTrainStep' \
			-test.benchmem -test.count 1 >>"$out/bench.txt" 2>&1
		GOMAXPROCS=$p try "gemm.test GOMAXPROCS=$p" "$dir/gemm.test" -test.run '^$' \
			-test.bench 'Gemm/kernel=avx' -test.count 1 >>"$out/gemm.txt" 2>&1
		GOMAXPROCS=$p try "convstep GOMAXPROCS=$p" "$dir/convstep" -steps 30 -data "$dir/mnist" \
			>>"$out/convstep.jsonl" 2>>"$out/errors.txt"
		for dtype in float64 float32; do
			try "torch_convnet $dtype threads=$p" "$python" bench/torch_convnet.py --threads "$p" \
				--dtype "$dtype" --steps 30 --data "$dir/mnist" >>"$out/torch.jsonl" 2>>"$out/errors.txt"
		done
	done
done
if [ -n "${CONVNET:-}" ]; then
	GOMAXPROCS=$CONVNET try "convnet GOMAXPROCS=$CONVNET" "$dir/convnet" -quiet -json \
		-data "$dir/mnist" -out "$out" >"$out/convnet-$CONVNET.txt" 2>&1
fi
