package dataset_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/numlearn/numlearn/dataset"
)

// The zero CSV reads a file as Sung Kim's labs do: no header, '#'
// comments, the last column the target and the others the features.
func ExampleReadCSV() {
	const scores = `# quiz 1, quiz 2, midterm, final
73, 80, 75, 152
93, 88, 93, 185
89, 91, 90, 180
`
	d, err := dataset.ReadCSV(strings.NewReader(scores), dataset.CSV{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.Len(), d.X.Shape(), d.T.Shape())
	fmt.Println(d.FeatureNames, d.TargetNames)
	fmt.Println(d.X.Row(1).Data(), d.T.Row(1).Data())
	// Output:
	// 3 [3 3] [3 1]
	// [column 0 column 1 column 2] [column 3]
	// [93 88 93] [185]
}

// With a header, chosen columns and class labels: the names column is
// skipped, and the classes come back as labels and one-hot rows.
func ExampleReadCSV_classes() {
	const animals = `name, hair, legs, class
cat, 1, 4, 0
sparrow, 0, 2, 1
trout, 0, 0, 2
`
	opts := dataset.CSV{Header: true, Features: []int{1, 2}, Targets: []int{3}, Classes: 3}
	d, err := dataset.ReadCSV(strings.NewReader(animals), opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.FeatureNames, d.TargetNames, d.Labels)
	for i := range d.Len() {
		fmt.Println(d.X.Row(i).Data(), d.T.Row(i).Data())
	}
	// Output:
	// [hair legs] [class] [0 1 2]
	// [1 4] [1 0 0]
	// [0 2] [0 1 0]
	// [0 0] [0 0 1]
}

// Bad data comes back as a *ParseError that says where it is.
func ExampleParseError() {
	_, err := dataset.ReadCSV(strings.NewReader("1,2,3\n4,n/a,6\n"), dataset.CSV{})
	fmt.Println(err)

	var pe *dataset.ParseError
	if errors.As(err, &pe) {
		fmt.Println(pe.Line, pe.Column, pe.Field, errors.Is(err, dataset.ErrFormat))
	}
	// Output:
	// dataset: line 2, column 3: "n/a" is not a number
	// 2 3 n/a true
}

// Split without a random source keeps the file's order: training first,
// test last. With one, the parts are shuffled the same way for the same
// seed.
func ExampleData_Split() {
	var sb strings.Builder
	for i := range 10 {
		fmt.Fprintf(&sb, "%d,%d\n", i, 10*i) // x = i, t = 10·i
	}
	d, err := dataset.ReadCSV(strings.NewReader(sb.String()), dataset.CSV{})
	if err != nil {
		fmt.Println(err)
		return
	}

	train, val, test := d.Split(nil, 0.2, 0.1)
	fmt.Println(train.X.Data(), val.X.Data(), test.X.Data())

	train, val, test = d.Split(rand.New(rand.NewPCG(1, 2)), 0.2, 0.1)
	fmt.Println(train.Len(), val.Len(), test.Len())
	again, _, _ := d.Split(rand.New(rand.NewPCG(1, 2)), 0.2, 0.1)
	fmt.Println("same seed, same split:", slices.Equal(train.X.Data(), again.X.Data()))
	all := slices.Concat(train.X.Data(), val.X.Data(), test.X.Data())
	slices.Sort(all)
	fmt.Println("every sample once:", all)
	// Output:
	// [0 1 2 3 4 5 6] [7 8] [9]
	// 7 2 1
	// same seed, same split: true
	// every sample once: [0 1 2 3 4 5 6 7 8 9]
}
