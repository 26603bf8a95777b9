package numlearn

import (
	"fmt"

	"github.com/numlearn/numlearn/layers"
	"github.com/numlearn/numlearn/tensor"
)

// classifier returns the head as a layers.Classifier, and panics naming op
// when it does not classify.
func (n *Network) classifier(op string) layers.Classifier {
	c, ok := n.head.(layers.Classifier)
	if !ok {
		panic(fmt.Sprintf("numlearn: %s: the network's head (%T) does not predict classes", op, n.head))
	}
	return c
}

// Classes appends to dst the class the network predicts for each sample of
// x and returns the extended slice: the index of the highest score for a
// softmax head, 1 where σ(score) > 0.5 for a sigmoid head. With a dst of
// enough capacity it allocates nothing once warm. It panics if the head
// does not predict classes (a regression head).
func (n *Network) Classes(dst []int, x *tensor.Tensor) []int {
	return n.classifier("Classes").Classes(dst, n.Predict(x))
}

// Class returns the class the network predicts for one sample x, given in
// its own shape (784 for an MNIST image as a vector) or as a batch of one.
// It panics if x is not one sample or the head does not predict classes.
func (n *Network) Class(x *tensor.Tensor) int {
	n.classes = n.Classes(n.classes[:0], x)
	return oneClass(n.classes, x)
}

// oneClass returns the only class in classes, and panics naming x's shape
// when there is not exactly one.
func oneClass(classes []int, x *tensor.Tensor) int {
	if len(classes) != 1 {
		panic(fmt.Sprintf("numlearn: Class: input shape %v is %d samples, not one", x.Shape(), len(classes)))
	}
	return classes[0]
}
