package npz_test

import (
	"bytes"
	"fmt"

	"github.com/numlearn/numlearn/internal/npz"
)

func ExampleWrite() {
	var file bytes.Buffer
	err := npz.Write(&file, []npz.Array{
		{Name: "W1", Shape: []int{2, 2}, Data: []float64{1, 2, 3, 4}},
		{Name: "b1", Shape: []int{2}, Data: []float64{0.5, -0.5}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	arrays, err := npz.Read(bytes.NewReader(file.Bytes()), int64(file.Len()))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, a := range arrays {
		fmt.Println(a.Name, a.Shape, a.Data)
	}
	// Output:
	// W1 [2 2] [1 2 3 4]
	// b1 [2] [0.5 -0.5]
}

func ExampleOpen() {
	var file bytes.Buffer
	err := npz.Write(&file, []npz.Array{{Name: "W", Shape: []int{2, 2}, Data: []float64{1, 2, 3, 4}}})
	if err != nil {
		fmt.Println(err)
		return
	}
	entries, err := npz.Open(bytes.NewReader(file.Bytes()), int64(file.Len()))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range entries {
		fmt.Println(e.Name, e.Shape) // check the name and shape first…
		dst := make([]float64, e.Len())
		if err := e.ReadInto(dst); err != nil { // …then read into a buffer of the expected size
			fmt.Println(err)
			return
		}
		fmt.Println(dst)
	}
	// Output:
	// W [2 2]
	// [1 2 3 4]
}

func ExampleEntry_ReadText() {
	var file bytes.Buffer
	err := npz.Write(&file, []npz.Array{
		{Name: "architecture", IsText: true, Text: `{"hidden": [50], "λ": 1e-4}`},
		{Name: "W", Shape: []int{2}, Data: []float64{1, 2}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	entries, err := npz.Open(bytes.NewReader(file.Bytes()), int64(file.Len()))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range entries {
		if !e.IsText {
			fmt.Println(e.Name, e.Shape)
			continue
		}
		text, err := e.ReadText()
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(e.Name, text)
	}
	// Output:
	// architecture {"hidden": [50], "λ": 1e-4}
	// W [2]
}
