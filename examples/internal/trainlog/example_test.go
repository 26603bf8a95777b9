package trainlog_test

import (
	"os"

	"github.com/numlearn/numlearn/examples/internal/trainlog"
)

// Off a terminal the download's progress is a line per file.
func ExampleDownload() {
	progress := trainlog.Download(os.Stdout, false)
	progress("train-images-idx3-ubyte.gz", 0, 9912422)
	progress("train-images-idx3-ubyte.gz", 4096, 9912422)
	progress("train-labels-idx1-ubyte.gz", 0, 28881)
	// Output:
	// fetching train-images-idx3-ubyte.gz (9912422 bytes)
	// fetching train-labels-idx1-ubyte.gz (28881 bytes)
}
