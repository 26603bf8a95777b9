package mnist_test

import (
	"context"
	"fmt"
	"log"
	"math/rand/v2"
	"os"

	"github.com/numlearn/numlearn/mnist"
	"github.com/numlearn/numlearn/tensor"
)

func ExampleReadImages() {
	f, err := os.Open("testdata/images-3x2x2.idx.gz") // three 2×2 images
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	x, err := mnist.ReadImages(f)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(x.Shape())
	for i := range 3 {
		r := x.Row(i).Data()
		fmt.Printf("%.4f %.4f %.4f %.4f\n", r[0], r[1], r[2], r[3])
	}
	// Output:
	// [3 4]
	// 0.0000 1.0000 0.2000 0.4000
	// 0.6000 0.8000 0.0039 0.9961
	// 1.0000 0.0000 0.0000 1.0000
}

func ExampleReadLabels() {
	f, err := os.Open("testdata/labels-3.idx")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	labels, err := mnist.ReadLabels(f)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(labels)
	// Output:
	// [7 0 9]
}

func ExampleSet_Gather() {
	// Four images whose pixels all equal their label/10.
	x := tensor.New(4, 784)
	for i := range 4 {
		x.Row(i).Fill(float64(i) / 10)
	}
	set := &mnist.Set{Images: x, Labels: []int{0, 1, 2, 3}}

	var batchX, batchT tensor.Tensor // sized by the first call
	set.Gather(&batchX, &batchT, []int{3, 1})
	fmt.Println(batchX.Shape(), batchT.Shape())
	fmt.Printf("%.4f %.4f\n", batchX.At(0, 0), batchX.At(1, 783))
	fmt.Println(batchT.ArgMax())
	// Output:
	// [2 784] [2 10]
	// 0.3000 0.1000
	// [3 1]
}

func ExampleSet_Sample() {
	set := &mnist.Set{Images: tensor.New(10, 784), Labels: make([]int, 10)}
	rng := rand.New(rand.NewPCG(1, 2)) // same seed, same batches
	idx := make([]int, 100)            // the batch size
	set.Sample(rng, idx)               // like np.random.choice(10, 100)
	inRange := true
	for _, i := range idx {
		inRange = inRange && i >= 0 && i < set.Len()
	}
	fmt.Println(len(idx), inRange)
	// Output:
	// 100 true
}

func ExampleLoad() {
	dir, err := mnist.DefaultDir()
	if err != nil {
		log.Fatal(err)
	}
	if err := mnist.Download(context.Background(), dir); err != nil {
		log.Fatal(err)
	}
	train, test, err := mnist.Load(dir)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(train.Images.Shape(), train.OneHot().Shape())
	fmt.Println(test.Len(), test.Labels[:10])
	fmt.Printf("%.4f\n", train.Images.Max())
	// Output:
	// [60000 784] [60000 10]
	// 10000 [7 2 1 0 4 1 4 9 5 9]
	// 1.0000
}

func ExampleDownloader() {
	dir, err := mnist.DefaultDir()
	if err != nil {
		log.Fatal(err)
	}
	d := mnist.Downloader{
		Progress: func(file string, done, total int64) {
			fmt.Fprintf(os.Stderr, "\r%s %3d%%", file, 100*done/total)
		},
	}
	if err := d.Download(context.Background(), dir); err != nil {
		log.Fatal(err)
	}
	fmt.Println("ok")
	// Output:
	// ok
}
