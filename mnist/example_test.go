package mnist_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/numlearn/numlearn/mnist"
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

func ExampleFetch() {
	// "" is DefaultDir(): the files are downloaded there on the first run
	// and only read after that.
	train, test, err := mnist.Fetch(context.Background(), "")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(train.Images.Shape(), train.OneHot().Shape())
	fmt.Println(test.Len(), test.Labels[:10])
	// It prints (TestFetch checks the same facts):
	// [60000 784] [60000 10]
	// 10000 [7 2 1 0 4 1 4 9 5 9]
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
	// It prints (TestRealData checks the same facts):
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
}

func ExampleDownloader_Fetch() {
	d := mnist.Downloader{
		Progress: func(file string, done, total int64) {
			fmt.Fprintf(os.Stderr, "\r%s %3d%%", file, 100*done/total)
		},
	}
	train, test, err := d.Fetch(context.Background(), "")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(train.Len(), test.Len())
	// It prints: 60000 10000
}
