#!/bin/sh
# run.sh [DIR] [OUT] times training on 1, 2, 4, 8 and 16 cores, one process
# per GOMAXPROCS, on a machine without Go, from what prepare.sh put in DIR
# (default .cores), writing under OUT (default $OUT, else /tmp/cores):
#
#   bench.txt        the training-step benchmarks (benchstat -col /gomaxprocs bench.txt)
#   gemm.txt         the products of internal/gemm
#   convstep.jsonl   SimpleConvNet's step and evaluation, numlearn (bench/convstep)
#   torch.jsonl      the same for PyTorch float64 and float32 (bench/torch_convnet.py)
#   convnet-N.txt    the 20-epoch examples/convnet run on N cores, with CONVNET=N
#
# THREADS (default "1 2 4 8 16") and ROUNDS (default 3) choose the runs;
# the thread counts alternate within each round. PYTHON (default python3)
# is the Python with PyTorch. Run it from the
# repository's root, where bench/torch_convnet.py is.
set -u
dir=${1:-.cores}
out=${2:-${OUT:-/tmp/cores}}
threads=${THREADS:-1 2 4 8 16}
python=${PYTHON:-python3}
rounds=${ROUNDS:-3}
mkdir -p "$out"
export NUMLEARN_MNIST_DIR="$dir/mnist"
nproc >"$out/machine.txt" 2>&1
"$python" -c 'import torch; print("torch", torch.__version__)' >>"$out/machine.txt" 2>&1
for r in $(seq "$rounds"); do
	for p in $threads; do
		echo "round $r, GOMAXPROCS $p" >&2
		GOMAXPROCS=$p "$dir/numlearn.test" -test.run '^$' \
			-test.bench 'BenchmarkTrainStep$|TrainStepLarge|ConvTrainStep' \
			-test.benchmem -test.count 1 >>"$out/bench.txt" 2>&1
		GOMAXPROCS=$p "$dir/gemm.test" -test.run '^$' -test.bench 'Gemm/kernel=avx' \
			-test.count 1 >>"$out/gemm.txt" 2>&1
		GOMAXPROCS=$p "$dir/convstep" -steps 30 -data "$dir/mnist" >>"$out/convstep.jsonl" 2>>"$out/errors.txt"
		for dtype in float64 float32; do
			"$python" bench/torch_convnet.py --threads "$p" --dtype "$dtype" --steps 30 \
				--data "$dir/mnist" >>"$out/torch.jsonl" 2>>"$out/errors.txt"
		done
	done
done
if [ -n "${CONVNET:-}" ]; then
	GOMAXPROCS=$CONVNET "$dir/convnet" -quiet -json -data "$dir/mnist" -out "$out" \
		>"$out/convnet-$CONVNET.txt" 2>&1
fi
