package trainlog

import (
	"fmt"
	"io"
	"os"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// IsTerminal reports whether w is a terminal, where a progress bar can
// redraw itself.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Download returns a progress callback for the MNIST download: a
// byte-counting bar on a terminal, a line per file otherwise.
func Download(w io.Writer, interactive bool) func(file string, done, total int64) {
	var bar *progressbar.ProgressBar
	current := ""
	return func(file string, done, total int64) {
		if file != current || done == 0 {
			current = file
			if !interactive {
				fmt.Fprintf(w, "fetching %s (%d bytes)\n", file, total)
				return
			}
			if bar != nil {
				bar.Finish()
			}
			bar = progressbar.DefaultBytes(total, "fetching "+file)
		}
		if bar != nil {
			bar.Set64(done)
		}
	}
}
