package mnistdata

import (
	"context"

	"github.com/numlearn/numlearn/mnist"
)

// Fetch downloads into dir whichever MNIST files are missing and loads
// them; an empty dir means mnist.DefaultDir(). progress, if not nil, is
// the Downloader's progress callback. It returns the folder it used.
func Fetch(ctx context.Context, dir string, progress func(file string, done, total int64)) (train, test *mnist.Set, used string, err error) {
	if dir == "" {
		if dir, err = mnist.DefaultDir(); err != nil {
			return nil, nil, "", err
		}
	}
	d := mnist.Downloader{Progress: progress}
	if err := d.Download(ctx, dir); err != nil {
		return nil, nil, "", err
	}
	train, test, err = mnist.Load(dir)
	return train, test, dir, err
}
