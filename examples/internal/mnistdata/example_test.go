package mnistdata_test

import (
	"context"
	"fmt"

	"github.com/numlearn/numlearn/examples/internal/mnistdata"
)

func ExampleFetch() {
	train, test, _, err := mnistdata.Fetch(context.Background(), "", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(train.Len(), test.Len(), train.Labels[:5])
	// It prints (TestFetch checks it): 60000 10000 [5 0 4 1 9]
}
