// Command mnistshow is the book's mnist_show.py, better: it downloads
// MNIST if needed (showing progress on stderr), prints the shapes of the
// training and test sets and their first labels, draws the first training
// image in the terminal, and writes mnist_digits.png, a 10×10 grid of the
// first 100 test digits, each captioned with its label.
//
//	go run ./examples/mnistshow [-data DIR] [-out DIR]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	"golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"github.com/numlearn/numlearn/mnist"
	"github.com/numlearn/numlearn/tensor"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "mnistshow:", err)
		os.Exit(1)
	}
}

// The grid: 10×10 cells, each a digit drawn at scale× with its label
// below.
const (
	gridSide = 10
	scale    = 2
	pad      = 6
	caption  = 14 // height of the label strip under a digit
	title    = 22 // height of the title strip
	cellW    = mnist.Cols*scale + pad
	cellH    = mnist.Rows*scale + caption + pad
)

func run(args []string, stdout io.Writer) error {
	flags := flag.NewFlagSet("mnistshow", flag.ContinueOnError)
	out := flags.String("out", ".", "folder to write mnist_digits.png into")
	data := flags.String("data", "", "MNIST folder (default: $NUMLEARN_MNIST_DIR or the user cache folder)")
	quiet := flags.Bool("quiet", false, "do not show download progress")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if flags.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", flags.Args())
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var report func(file string, done, total int64)
	if !*quiet {
		report = progress(os.Stderr)
	}
	dir := *data
	if dir == "" {
		var err error
		if dir, err = mnist.DefaultDir(); err != nil {
			return err
		}
	}
	train, test, err := (&mnist.Downloader{Progress: report}).Fetch(ctx, dir)
	if err != nil {
		return err
	}

	fmt.Fprintf(stdout, "MNIST in %s\n", dir)
	for _, s := range []struct {
		name string
		set  *mnist.Set
	}{{"train", train}, {"test", test}} {
		fmt.Fprintf(stdout, "%-5s images %v  labels (%d)  one-hot %v\n",
			s.name, shape(s.set.Images), s.set.Len(), shape(s.set.OneHot()))
	}
	fmt.Fprintf(stdout, "first training labels: %s\n", joinInts(train.Labels[:10]))
	fmt.Fprintf(stdout, "first test labels:     %s\n", joinInts(test.Labels[:10]))

	img := train.Images.Row(0).Reshape(mnist.Rows, mnist.Cols)
	fmt.Fprintf(stdout, "training image 0, label %d, reshaped to %v:\n", train.Labels[0], shape(img))
	fmt.Fprint(stdout, ascii(img))

	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	path := filepath.Join(*out, "mnist_digits.png")
	if err := writePNG(path, grid(test)); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: the first %d test digits with their labels\n", path, gridSide*gridSide)
	return nil
}

// progress returns a Download callback that draws one line per file on w.
func progress(w io.Writer) func(file string, done, total int64) {
	return func(file string, done, total int64) {
		const width = 30
		filled := int(width * done / max(total, 1))
		fmt.Fprintf(w, "\r%-27s [%s%s] %5.1f / %.1f MB", file,
			strings.Repeat("=", filled), strings.Repeat(" ", width-filled),
			float64(done)/1e6, float64(total)/1e6)
		if done == total {
			fmt.Fprintln(w)
		}
	}
}

// shape formats a tensor's shape the numpy way, (60000, 784).
func shape(t *tensor.Tensor) string {
	parts := make([]string, len(t.Shape()))
	for i, d := range t.Shape() {
		parts[i] = fmt.Sprint(d)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

func joinInts(xs []int) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprint(x)
	}
	return strings.Join(parts, " ")
}

// ascii draws a (28, 28) image of values in [0, 1] with characters of
// increasing ink, two per pixel so that the digit keeps its proportions.
func ascii(img *tensor.Tensor) string {
	const ramp = " .:-=+*#%@"
	var sb strings.Builder
	rows, cols := img.Shape()[0], img.Shape()[1]
	for r := range rows {
		for c := range cols {
			k := int(img.At(r, c) * float64(len(ramp)-1))
			sb.WriteString(strings.Repeat(string(ramp[k]), 2))
		}
		sb.WriteString("\n")
	}
	return sb.String()
}

// grid draws the first 100 samples of s, white digits on black as MNIST
// stores them, each with its label underneath.
func grid(s *mnist.Set) *image.RGBA {
	n := min(gridSide*gridSide, s.Len())
	w, h := gridSide*cellW+pad, title+gridSide*cellH+pad
	canvas := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(canvas, canvas.Bounds(), image.NewUniform(color.RGBA{24, 24, 32, 255}), image.Point{}, draw.Src)

	text := &font.Drawer{Dst: canvas, Src: image.NewUniform(color.RGBA{255, 210, 90, 255}), Face: basicfont.Face7x13}
	text.Dot = fixed.P(pad, 15)
	text.DrawString(fmt.Sprintf("MNIST test set: the first %d digits and their labels", n))

	for i := range n {
		o := cellOrigin(i)
		x0, y0 := o.X, o.Y
		dst := image.Rect(x0, y0, x0+mnist.Cols*scale, y0+mnist.Rows*scale)
		draw.NearestNeighbor.Scale(canvas, dst, s.Image(i), s.Image(i).Bounds(), draw.Src, nil)
		label := fmt.Sprint(s.Labels[i])
		text.Dot = fixed.P(x0+(mnist.Cols*scale-text.MeasureString(label).Round())/2, y0+mnist.Rows*scale+caption-2)
		text.DrawString(label)
	}
	return canvas
}

// cellOrigin returns the top-left pixel of digit i's square in the grid.
func cellOrigin(i int) image.Point {
	return image.Pt(pad+(i%gridSide)*cellW, title+(i/gridSide)*cellH)
}

func writePNG(path string, img image.Image) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, f.Close()) }()
	return png.Encode(f, img)
}
