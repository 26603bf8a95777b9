module github.com/numlearn/numlearn

go 1.24.0

require (
	github.com/stretchr/testify v1.12.1
	golang.org/x/sys v0.41.0
	gonum.org/v1/gonum v0.17.0
	gonum.org/v1/netlib v0.0.0-20190313105609-8cb42192e0e0
)

require (
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/exp v0.0.0-20250106191152-7588d65b2ba8 // indirect
)
